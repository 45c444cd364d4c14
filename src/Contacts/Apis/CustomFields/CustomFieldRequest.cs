using CrmPlatform.Contacts.Model;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Contacts.Apis;

/// <summary>
/// A custom field as an admin defines it: <c>entity</c> person or organization, <c>key</c> (a letter, then letters,
/// digits or _), <c>label</c>, <c>type</c> text, number, date, boolean, single-choice or multi-choice, <c>options</c>
/// (for the choice types) and <c>required</c>.
/// </summary>
public sealed record CustomFieldRequest(string? Entity, string? Key, string? Label, string? Type, IReadOnlyList<string?>? Options, bool? Required)
{
    public CustomFieldDefinition? Read(out FieldErrors errors)
    {
        errors = new FieldErrors()
            .Required("key", Key, CustomFieldDefinition.KeyMaxLength)
            .When(Key is not null && !CustomFieldDefinition.KeyPattern().IsMatch(Key), "key",
                "key starts with a lower-case letter followed by letters, digits or _ (at most 40).")
            .Required("label", Label, CustomFieldDefinition.LabelMaxLength);
        var entity = ContactDetailsInput.Kind<CustomFieldEntity>(errors, "entity", Entity ?? "");
        var type = ContactDetailsInput.Kind<CustomFieldType>(errors, "type", Type ?? "");
        var options = new List<string>();
        for (var i = 0; i < (Options?.Count ?? 0); i++)
        {
            var option = Options![i];
            errors.Required($"options[{i}]", option, CustomFieldDefinition.OptionMaxLength);
            if (!string.IsNullOrWhiteSpace(option) && options.Contains(option.Trim(), StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"options[{i}]", $"{option.Trim()} is offered twice.");
            }
            else if (!string.IsNullOrWhiteSpace(option))
            {
                options.Add(option.Trim());
            }
        }
        if (type is CustomFieldType.SingleChoice or CustomFieldType.MultiChoice)
        {
            errors.When(options.Count == 0 && (Options?.Count ?? 0) == 0, "options", "A choice field needs at least one option.")
                .When(options.Count > CustomFieldDefinition.MaxOptions, "options", $"At most {CustomFieldDefinition.MaxOptions} options.");
        }
        else if (type is not null)
        {
            errors.When(Options is { Count: > 0 }, "options", "Only single-choice and multi-choice fields have options.");
        }
        return errors.IsValid
            ? new CustomFieldDefinition
            {
                Entity = entity!.Value, Key = Key!, Label = Label!.Trim(), Type = type!.Value, Options = [.. options], Required = Required ?? false,
            }
            : null;
    }
}

public sealed record CustomFieldResponse(
    Guid Id,
    CustomFieldEntity Entity,
    string Key,
    string Label,
    CustomFieldType Type,
    IReadOnlyList<string> Options,
    bool Required,
    DateTime CreatedAt,
    string? CreatedBy,
    DateTime UpdatedAt,
    string? UpdatedBy,
    int Version)
{
    public static CustomFieldResponse From(CustomFieldDefinition f) => new(
        f.Id, f.Entity, f.Key, f.Label, f.Type, f.Options, f.Required, f.CreatedAt, f.CreatedBy, f.UpdatedAt, f.UpdatedBy, f.Version);
}
