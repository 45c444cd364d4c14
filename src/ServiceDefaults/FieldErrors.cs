using System.Net.Mail;

namespace CrmPlatform.ServiceDefaults;

/// <summary>Collects per-field validation messages in the shape <c>TypedResults.ValidationProblem</c> answers with.</summary>
public sealed class FieldErrors : Dictionary<string, string[]>
{
    public bool IsValid => Count == 0;

    public FieldErrors Add(string field, string message)
    {
        this[field] = TryGetValue(field, out var existing) ? [.. existing, message] : [message];
        return this;
    }

    public FieldErrors Required(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Add(field, $"{field} is required.");
        }
        return MaxLength(field, value, maxLength);
    }

    public FieldErrors MaxLength(string field, string? value, int maxLength) =>
        value is not null && value.Trim().Length > maxLength ? Add(field, $"{field} must be at most {maxLength} characters.") : this;

    public FieldErrors Email(string field, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value)
            && !(MailAddress.TryCreate(value.Trim(), out var address) && address.Address == value.Trim() && address.Host.Contains('.')))
        {
            Add(field, $"{field} is not a valid email address.");
        }
        return this;
    }

    public FieldErrors When(bool invalid, string field, string message) => invalid ? Add(field, message) : this;
}
