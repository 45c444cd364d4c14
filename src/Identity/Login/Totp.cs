using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace CrmPlatform.Identity.Login;

/// <summary>Time-based one-time passwords (RFC 6238): HMAC-SHA1, 30-second steps, 6 digits, what every authenticator app does.</summary>
public static class Totp
{
    public const int Digits = 6;
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    public static string NewSecret() => Base32.Encode(RandomNumberGenerator.GetBytes(20));

    public static long StepAt(DateTime utc) => new DateTimeOffset(utc, TimeSpan.Zero).ToUnixTimeSeconds() / (long)Step.TotalSeconds;

    public static string Code(string secret, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        var hash = HMACSHA1.HashData(Base32.Decode(secret), counter);
        // Dynamic truncation (RFC 4226 §5.3).
        var offset = hash[^1] & 0x0F;
        var value = (BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(offset)) & 0x7FFFFFFF) % 1_000_000;
        return value.ToString("D6");
    }

    /// <summary>
    /// The step <paramref name="code"/> belongs to, or null. One step either side is accepted for phones whose clock
    /// drifts and codes typed as the window turns (RFC 6238 §5.2).
    /// </summary>
    public static long? MatchingStep(string secret, string? code, DateTime now)
    {
        if (code is not { Length: Digits } || !code.All(char.IsAsciiDigit))
        {
            return null;
        }
        var current = StepAt(now);
        for (var step = current - 1; step <= current + 1; step++)
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Code(secret, step)), Encoding.ASCII.GetBytes(code)))
            {
                return step;
            }
        }
        return null;
    }

    /// <summary>The Key URI authenticator apps read from a QR code.</summary>
    public static string SetupUri(string issuer, string account, string secret) =>
        $"otpauth://totp/{Uri.EscapeDataString(issuer)}:{Uri.EscapeDataString(account)}" +
        $"?secret={secret}&issuer={Uri.EscapeDataString(issuer)}&algorithm=SHA1&digits={Digits}&period={(int)Step.TotalSeconds}";
}
