using System.Net;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Contacts.Model;

/// <summary>Where a consent statement came from.</summary>
public static class ConsentSources
{
    public const string WebForm = "web-form";
    /// <summary>The unsubscribe link of a campaign email (Marketing's <c>Unsubscribed</c>): withdrawals only.</summary>
    public const string UnsubscribeLink = "unsubscribe-link";
    /// <summary>A spam complaint about a campaign email (Marketing's <c>Unsubscribed</c> via a complaint): withdrawals only.</summary>
    public const string SpamComplaint = "spam-complaint";
    // Not in All: no API caller may state it; only the consumer of Marketing's event records it.
    public static readonly IReadOnlyList<string> All = [WebForm, "import", "api", "phone-call", "in-person"];
}

/// <summary>
/// What makes a consent statement acceptable, checked before anything is recorded: known purpose, channel, status and
/// source; a grant's validity window that ends after it starts; a withdrawal that takes effect when recorded (no window)
/// and may say why; a grant from a web form that names the form; evidence that is what it says it is.
/// </summary>
public static class ConsentRules
{
    public const int ReasonMaxLength = 500;

    public static FieldErrors Check(
        string? purpose, string? channel, string? status, string? source, DateTime? validFrom, DateTime? validUntil, string? reason,
        ConsentEvidence evidence, DateTime now)
    {
        var errors = new FieldErrors();
        OneOf(errors, "purpose", purpose, ConsentValues.Purposes);
        OneOf(errors, "channel", channel, ConsentValues.Channels);
        OneOf(errors, "status", status, ConsentValues.Statuses);
        OneOf(errors, "source", source, ConsentSources.All);

        if (status == ConsentValues.Withdrawn)
        {
            const string noWindow = "A withdrawal takes effect when it is recorded; it has no validity window.";
            errors.When(validFrom is not null, "validFrom", noWindow).When(validUntil is not null, "validUntil", noWindow);
        }
        if (status == ConsentValues.Granted)
        {
            errors.When(reason is not null, "reason", "Only a withdrawal has a reason.")
                .When(validUntil is { } until && until <= (validFrom ?? now), "validUntil",
                    validFrom is null ? "validUntil must be in the future (validFrom defaults to now)." : "validUntil must be after validFrom.")
                .When(source == ConsentSources.WebForm && string.IsNullOrWhiteSpace(evidence.FormId) && string.IsNullOrWhiteSpace(evidence.FormUrl),
                    "evidence.formId", "A grant from a web form names the form: evidence.formId or evidence.formUrl.");
        }
        errors.MaxLength("reason", reason, ReasonMaxLength);

        errors.MaxLength("evidence.formId", evidence.FormId, ConsentEvidence.FormIdMaxLength)
            .MaxLength("evidence.formUrl", evidence.FormUrl, ConsentEvidence.FormUrlMaxLength)
            .When(evidence.FormUrl is { } url && !IsWebAddress(url), "evidence.formUrl", "evidence.formUrl must be an absolute http or https URL.")
            .When(evidence.IpAddress is { } ip && !IPAddress.TryParse(ip.Trim(), out _), "evidence.ipAddress", "evidence.ipAddress must be an IPv4 or IPv6 address.")
            .MaxLength("evidence.userAgent", evidence.UserAgent, ConsentEvidence.UserAgentMaxLength)
            .MaxLength("evidence.wording", evidence.Wording, ConsentEvidence.WordingMaxLength)
            .When(evidence.DoubleOptInConfirmedAt > now, "evidence.doubleOptInConfirmedAt", "evidence.doubleOptInConfirmedAt cannot be in the future.");
        return errors;
    }

    private static void OneOf(FieldErrors errors, string field, string? value, IReadOnlyList<string> allowed)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(field, $"{field} is required.");
        }
        else if (!allowed.Contains(value))
        {
            errors.Add(field, $"{field} must be one of: {string.Join(", ", allowed)}.");
        }
    }

    private static bool IsWebAddress(string url) =>
        Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
