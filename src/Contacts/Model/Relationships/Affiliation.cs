using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Contacts.Model;

/// <summary>The part a person plays at an organization.</summary>
public enum AffiliationRole
{
    DecisionMaker,
    Influencer,
    User,
    Champion,
}

/// <summary>
/// A person's role at an organization, for a period: a title and what they are in buying decisions. A person can hold
/// several, at several organizations or one after another at the same. It is part of the person: visible exactly when
/// the person is, deleted with them.
/// </summary>
public sealed class Affiliation : UnownedAuditedEntity
{
    public const int TitleMaxLength = 100;

    public Guid PersonId { get; init; }
    public Guid OrganizationId { get; set; }
    public string? Title { get; set; }
    /// <summary>API names (<c>decision-maker</c>), distinct and sorted.</summary>
    public string[] Roles { get; set; } = [];
    public DateOnly? StartedOn { get; set; }
    /// <summary>Null while the role lasts; never before <see cref="StartedOn"/>.</summary>
    public DateOnly? EndedOn { get; set; }
}
