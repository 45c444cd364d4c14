using System.Text.RegularExpressions;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Marketing.Forms;

public sealed record FormFieldRequest(string? Key, string? Label, string? MapsTo, bool? Required, string? Type);

public sealed record FormConsentRequest(string? Purpose, string? Channel, string? Text, bool? Required);

/// <summary>
/// A web form as written. Fields fill the person's or lead's fields named by <c>mapsTo</c> (one field each; one must
/// fill <c>email</c>, the address Contacts keys people by); consent boxes are one per purpose and channel.
/// <c>allowedOrigins</c> are the sites (<c>https://www.example.com</c>) whose scripts may send it; <c>redirectUrl</c>
/// is where a browser goes after sending it (absolute https, or relative to the page).
/// </summary>
public sealed partial record FormRequest(
    string? Name, IReadOnlyList<FormFieldRequest>? Fields, IReadOnlyList<FormConsentRequest>? Consents, bool? DoubleOptIn, bool? CreateLead,
    Guid? CampaignId, IReadOnlyList<string>? AllowedOrigins, string? SuccessMessage, string? RedirectUrl)
{
    public const int MaxFields = 30;
    public const int MaxConsents = 12;
    public const int MaxOrigins = 20;
    public const int ConsentTextMaxLength = 4000;
    public const int LabelMaxLength = 200;

    /// <summary>Names the page and the platform use themselves (the honeypot, the token), so no field may take them.</summary>
    public static readonly IReadOnlyList<string> ReservedKeys = ["website", "formToken"];

    public FieldErrors Validate()
    {
        var errors = new FieldErrors().Required("name", Name, WebForm.NameMaxLength)
            .When(Fields is null || Fields.Count == 0, "fields", "fields is required: at least the email field.")
            .When(Fields?.Count > MaxFields, "fields", $"A form has at most {MaxFields} fields.")
            .When(Consents?.Count > MaxConsents, "consents", $"A form has at most {MaxConsents} consent boxes.")
            .When(AllowedOrigins?.Count > MaxOrigins, "allowedOrigins", $"At most {MaxOrigins} origins.")
            .When(CampaignId == Guid.Empty, "campaignId", "campaignId is not a campaign.")
            .MaxLength("successMessage", SuccessMessage, WebForm.SuccessMessageMaxLength)
            .MaxLength("redirectUrl", RedirectUrl, WebForm.UrlMaxLength)
            .When(RedirectUrl is not null && !IsRedirect(RedirectUrl.Trim()), "redirectUrl",
                "redirectUrl must be an absolute https URL or a path on the page's site starting with /.");
        foreach (var (field, i) in (Fields ?? []).Select((field, i) => (field, i)))
        {
            var at = $"fields[{i}]";
            errors.Required($"{at}.key", field.Key, 50)
                .When(field.Key is not null && !FieldKey().IsMatch(field.Key), $"{at}.key", "key starts with a letter and has letters, digits, - or _ only.")
                .When(field.Key is not null && ReservedKeys.Contains(field.Key, StringComparer.OrdinalIgnoreCase), $"{at}.key", $"'{field.Key}' is reserved.")
                .Required($"{at}.label", field.Label, LabelMaxLength)
                .When(!FormFieldTargets.All.Contains(field.MapsTo ?? ""), $"{at}.mapsTo", $"mapsTo must be one of: {string.Join(", ", FormFieldTargets.All)}.")
                .When(field.Type is not null && !FormFieldTargets.Types.Contains(field.Type), $"{at}.type", $"type must be one of: {string.Join(", ", FormFieldTargets.Types)}.");
        }
        var fields = Fields ?? [];
        errors.When(fields.GroupBy(f => f.Key, StringComparer.OrdinalIgnoreCase).Any(g => g.Key is not null && g.Count() > 1), "fields", "Each field has a key of its own.")
            .When(fields.GroupBy(f => f.MapsTo).Any(g => g.Key is not null && g.Count() > 1), "fields", "Each person or lead field is filled by one form field only.")
            .When(fields.Count > 0 && !fields.Any(f => f.MapsTo == FormFieldTargets.Email), "fields", "A form asks for the email address (a field with mapsTo email).");
        foreach (var (consent, i) in (Consents ?? []).Select((consent, i) => (consent, i)))
        {
            var at = $"consents[{i}]";
            errors.When(!ConsentValues.Purposes.Contains(consent.Purpose ?? ""), $"{at}.purpose", $"purpose must be one of: {string.Join(", ", ConsentValues.Purposes)}.")
                .When(!ConsentValues.Channels.Contains(consent.Channel ?? ""), $"{at}.channel", $"channel must be one of: {string.Join(", ", ConsentValues.Channels)}.")
                .Required($"{at}.text", consent.Text, ConsentTextMaxLength);
        }
        errors.When((Consents ?? []).GroupBy(c => (c.Purpose, c.Channel)).Any(g => g.Count() > 1), "consents", "One box per purpose and channel.");
        foreach (var (origin, i) in (AllowedOrigins ?? []).Select((origin, i) => (origin, i)))
        {
            errors.When(Origin(origin) is null, $"allowedOrigins[{i}]", "An origin is a scheme, host and port only, such as https://www.example.com.");
        }
        return errors;
    }

    public void ApplyTo(WebForm form)
    {
        form.Name = Name!.Trim();
        form.Fields = [.. Fields!.Select(f => new FormField(f.Key!.Trim(), f.Label!.Trim(), f.MapsTo!, f.Required ?? false,
            f.Type ?? (f.MapsTo switch { FormFieldTargets.Email => "email", FormFieldTargets.Phone => "tel", FormFieldTargets.Message => "textarea", _ => "text" })))];
        form.Consents = [.. (Consents ?? []).Select(c => new FormConsent(c.Purpose!, c.Channel!, c.Text!.Trim(), c.Required ?? false))];
        form.DoubleOptIn = DoubleOptIn ?? false;
        form.CreateLead = CreateLead ?? false;
        form.CampaignId = CampaignId;
        form.AllowedOrigins = [.. (AllowedOrigins ?? []).Select(o => Origin(o)!).Distinct()];
        form.SuccessMessage = string.IsNullOrWhiteSpace(SuccessMessage) ? "Thank you!" : SuccessMessage.Trim();
        form.RedirectUrl = string.IsNullOrWhiteSpace(RedirectUrl) ? null : RedirectUrl.Trim();
    }

    /// <summary>The origin as browsers send it (lower case, no default port, no path), or null when it is not one.</summary>
    public static string? Origin(string? value)
    {
        if (!Uri.TryCreate(value?.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            return null;
        }
        return uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
    }

    // A relative redirect must stay on the site: "//host" and "/\host" are other hosts to browsers.
    private static bool IsRedirect(string url) =>
        url.StartsWith('/') ? !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            : Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && uri.Host.Length > 0;

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,49}$")]
    private static partial Regex FieldKey();
}

public sealed record FormResponse(
    Guid Id, string Name, IReadOnlyList<FormField> Fields, IReadOnlyList<FormConsent> Consents, bool DoubleOptIn, bool CreateLead,
    Guid? CampaignId, IReadOnlyList<string> AllowedOrigins, string SuccessMessage, string? RedirectUrl, DateTime? ArchivedAt,
    string EmbedUrl, string SubmitUrl, DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static FormResponse From(WebForm f) => new(
        f.Id, f.Name, f.Fields, f.Consents, f.DoubleOptIn, f.CreateLead, f.CampaignId, f.AllowedOrigins, f.SuccessMessage, f.RedirectUrl,
        f.ArchivedAt, PublicPaths.Snippet(f.Id), PublicPaths.Submit(f.Id), f.CreatedAt, f.CreatedBy, f.UpdatedAt, f.UpdatedBy, f.Version);
}

/// <summary>Where the public side of a form answers (through the gateway, on the platform's public address).</summary>
public static class PublicPaths
{
    public const string Prefix = "/api/v1/public/forms";

    public static string Snippet(Guid formId) => $"{Prefix}/{formId}/snippet";

    public static string Submit(Guid formId) => $"{Prefix}/{formId}/submissions";
}
