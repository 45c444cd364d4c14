using CrmPlatform.Contacts.Model;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Contacts.Apis;

/// <summary>
/// A link from the person in the URL to another, as that person reads it: <c>reports-to</c>, <c>assistant-of</c>,
/// <c>spouse</c>, <c>colleague</c>, or the other side's view <c>manager-of</c> and <c>has-assistant</c>
/// (B manager-of A is stored as A reports-to B).
/// </summary>
public sealed record PersonLinkRequest(Guid? RelatedPersonId, string? Type, string? Note)
{
    private static readonly Dictionary<string, PersonLinkType> Inverses = Enum.GetValues<PersonLinkType>()
        .Where(type => !PersonLink.IsSymmetric(type))
        .ToDictionary(PersonLink.InverseName);

    /// <summary>The link's kind and whether it reads from the related person to the URL's (an inverse name was given).</summary>
    public FieldErrors Validate(Guid personId, out PersonLinkType type, out bool reversed)
    {
        var errors = new FieldErrors()
            .When(RelatedPersonId is null, "relatedPersonId", "relatedPersonId is required.")
            .When(RelatedPersonId == personId, "relatedPersonId", "A person cannot be linked to themselves.")
            .MaxLength("note", Note, PersonLink.NoteMaxLength);
        type = default;
        reversed = false;
        if (string.IsNullOrWhiteSpace(Type))
        {
            errors.Add("type", "type is required.");
        }
        else if (Inverses.TryGetValue(Type.Trim().ToLowerInvariant(), out var inverse))
        {
            (type, reversed) = (inverse, true);
        }
        else if (!KindNames.TryParse(Type, out type))
        {
            errors.Add("type", $"type must be one of {string.Join(", ", KindNames.All<PersonLinkType>().Concat(Inverses.Keys))}.");
        }
        return errors;
    }

    public void ApplyTo(PersonLink link, Guid personId, PersonLinkType type, bool reversed)
    {
        if (reversed)
        {
            link.Set(RelatedPersonId!.Value, personId, type);
        }
        else
        {
            link.Set(personId, RelatedPersonId!.Value, type);
        }
        link.Note = ContactDetailsInput.Trimmed(Note);
    }
}

/// <summary>A link as one of its two people reads it: <c>type</c> from their side, <c>relatedPersonId</c> the other one.</summary>
public sealed record PersonLinkResponse(
    Guid Id,
    string Type,
    Guid RelatedPersonId,
    string? Note,
    DateTime CreatedAt,
    string? CreatedBy,
    DateTime UpdatedAt,
    string? UpdatedBy,
    int Version)
{
    public static PersonLinkResponse From(PersonLink link, Guid personId) => new(
        link.Id, link.TypeFor(personId), link.OtherThan(personId), link.Note, link.CreatedAt, link.CreatedBy, link.UpdatedAt, link.UpdatedBy, link.Version);
}
