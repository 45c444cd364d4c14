using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Service.WebForm;

public enum FormTokenCheck { Valid, Invalid, TooFast, Expired }

/// <summary>
/// Signed timestamps for the support form: the page fetches one when it shows the form and sends it back with the
/// request. The HMAC binds the time to the tenant, so a token is neither forged nor carried to another tenant's form;
/// the time gives the minimum fill time and the lifetime without keeping anything on the server.
/// </summary>
public sealed class FormTokens(IOptions<WebFormOptions> options, TimeProvider clock)
{
    private readonly byte[] _key = options.Value.TokenKey is { Length: > 0 } configured
        ? Convert.FromBase64String(configured)
        : RandomNumberGenerator.GetBytes(32);

    public string Issue(Guid tenantId) => Issue(tenantId, clock.GetUtcNow());

    public string Issue(Guid tenantId, DateTimeOffset issuedAt)
    {
        var time = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(time, issuedAt.ToUnixTimeSeconds());
        return $"{Base64Url(time)}.{Base64Url(Sign(tenantId, time))}";
    }

    public FormTokenCheck Check(Guid tenantId, string? token)
    {
        var parts = token?.Split('.');
        if (parts is not [var timePart, var signaturePart] || FromBase64Url(timePart) is not { Length: 8 } time
            || FromBase64Url(signaturePart) is not { } signature || !CryptographicOperations.FixedTimeEquals(signature, Sign(tenantId, time)))
        {
            return FormTokenCheck.Invalid;
        }
        var age = clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(time));
        return age < TimeSpan.FromSeconds(options.Value.MinimumFillSeconds) ? FormTokenCheck.TooFast
            : age > TimeSpan.FromMinutes(options.Value.TokenLifetimeMinutes) ? FormTokenCheck.Expired
            : FormTokenCheck.Valid;
    }

    private byte[] Sign(Guid tenantId, byte[] time) => HMACSHA256.HashData(_key, (byte[])[.. tenantId.ToByteArray(), .. time]);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, buffer, out var written) ? buffer[..written] : null;
    }
}
