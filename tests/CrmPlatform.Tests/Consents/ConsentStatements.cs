using System.Text.Json;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Consents;

/// <summary>Consent statements as clients send them, and reading the answers.</summary>
public static class ConsentStatements
{
    public static object WebFormGrant(string purpose = "newsletter", string channel = "email", DateTime? validFrom = null, DateTime? validUntil = null) => new
    {
        purpose,
        channel,
        status = "granted",
        source = "web-form",
        validFrom,
        validUntil,
        evidence = new
        {
            formId = "newsletter-signup",
            formUrl = "https://www.example.test/newsletter",
            ipAddress = "203.0.113.7",
            userAgent = "Mozilla/5.0 (X11; Linux x86_64)",
            doubleOptInConfirmedAt = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc),
        },
    };

    public static object Grant(string purpose = "newsletter", string channel = "email", DateTime? validFrom = null, DateTime? validUntil = null) =>
        new { purpose, channel, status = "granted", source = "api", validFrom, validUntil };

    public static object Withdrawal(string purpose = "newsletter", string channel = "email", string? reason = "Too many emails") =>
        new { purpose, channel, status = "withdrawn", source = "phone-call", reason };

    public static string ConsentsUrl(Guid personId) => $"/api/v1/people/{personId}/consents";

    public static string HistoryUrl(Guid personId) => $"/api/v1/people/{personId}/consents/history";

    public static string CanContactUrl(Guid personId, string purpose = "newsletter", string channel = "email") =>
        $"/api/v1/marketing/contacts/{personId}/can-contact?purpose={purpose}&channel={channel}";

    public static JsonElement Current(this ApiAnswer answer, string purpose, string channel) =>
        answer.Items().Single(c => c.Str("purpose") == purpose && c.Str("channel") == channel);
}
