using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace CrmPlatform.ServiceDefaults;

public enum FormTokenCheck { Valid, Invalid, TooFast, Expired }

/// <summary>
/// Signed timestamps for public web forms: the page gets one when it shows the form and sends it back with the
/// request. The HMAC binds the time to what the form belongs to (a tenant's help centre, one marketing form), so a
/// token is neither forged nor carried to another form; the time gives the minimum fill time and the lifetime without
/// keeping anything on the server.
/// </summary>
public sealed class FormTokens(IOptions<WebFormOptions> options, TimeProvider clock)
{
    private readonly byte[] _key = options.Value.TokenKey is { Length: > 0 } configured
        ? Convert.FromBase64String(configured)
        : RandomNumberGenerator.GetBytes(32);

    public string Issue(Guid scope) => Issue(scope, clock.GetUtcNow());

    public string Issue(Guid scope, DateTimeOffset issuedAt)
    {
        var time = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(time, issuedAt.ToUnixTimeSeconds());
        return $"{Base64Url(time)}.{Base64Url(Sign(scope, time))}";
    }

    public FormTokenCheck Check(Guid scope, string? token)
    {
        var parts = token?.Split('.');
        if (parts is not [var timePart, var signaturePart] || FromBase64Url(timePart) is not { Length: 8 } time
            || FromBase64Url(signaturePart) is not { } signature || !CryptographicOperations.FixedTimeEquals(signature, Sign(scope, time)))
        {
            return FormTokenCheck.Invalid;
        }
        var age = clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(time));
        return age < TimeSpan.FromSeconds(options.Value.MinimumFillSeconds) ? FormTokenCheck.TooFast
            : age > TimeSpan.FromMinutes(options.Value.TokenLifetimeMinutes) ? FormTokenCheck.Expired
            : FormTokenCheck.Valid;
    }

    private byte[] Sign(Guid scope, byte[] time) => HMACSHA256.HashData(_key, (byte[])[.. scope.ToByteArray(), .. time]);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, buffer, out var written) ? buffer[..written] : null;
    }
}
