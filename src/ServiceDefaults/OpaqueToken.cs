using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace CrmPlatform.ServiceDefaults;

/// <summary>
/// Random bearer strings (client secrets, authorization codes, refresh tokens, double opt-in links). Only their SHA-256 is stored, so a
/// leaked database hands out nothing that works; 256 random bits make a slow hash unnecessary.
/// </summary>
public static class OpaqueToken
{
    public static string New() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string value) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
