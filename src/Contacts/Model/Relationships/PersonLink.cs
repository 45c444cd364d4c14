using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Contacts.Model;

/// <summary>How two people are related; each kind reads one way from the first person and another from the second.</summary>
public enum PersonLinkType
{
    ReportsTo,
    AssistantOf,
    Spouse,
    Colleague,
}

/// <summary>
/// A typed link between two people of a tenant (A reports to B). Both people see it: B reads it as "manager of A".
/// Symmetric kinds (spouse, colleague) are stored with the smaller id first, so A–B and B–A are one link and the
/// unique index refuses the second. Nobody is linked to themselves.
/// </summary>
public sealed class PersonLink : UnownedAuditedEntity
{
    public const int NoteMaxLength = 500;

    public Guid PersonId { get; private set; }
    public Guid RelatedPersonId { get; private set; }
    public PersonLinkType Type { get; private set; }
    public string? Note { get; set; }

    public static bool IsSymmetric(PersonLinkType type) => type is PersonLinkType.Spouse or PersonLinkType.Colleague;

    /// <summary>How the link reads from the related person's side.</summary>
    public static string InverseName(PersonLinkType type) => type switch
    {
        PersonLinkType.ReportsTo => "manager-of",
        PersonLinkType.AssistantOf => "has-assistant",
        _ => KindNames.Of(type),
    };

    public void Set(Guid personId, Guid relatedPersonId, PersonLinkType type)
    {
        if (personId == relatedPersonId)
        {
            throw new ArgumentException("Nobody is linked to themselves.", nameof(relatedPersonId));
        }
        var swap = IsSymmetric(type) && personId.CompareTo(relatedPersonId) > 0;
        (PersonId, RelatedPersonId, Type) = swap ? (relatedPersonId, personId, type) : (personId, relatedPersonId, type);
    }

    /// <summary>The other person, seen from <paramref name="personId"/>.</summary>
    public Guid OtherThan(Guid personId) => PersonId == personId ? RelatedPersonId : PersonId;

    /// <summary>The kind as <paramref name="personId"/> reads it: reports-to from the report, manager-of from the manager.</summary>
    public string TypeFor(Guid personId) => PersonId == personId || IsSymmetric(Type) ? KindNames.Of(Type) : InverseName(Type);
}
