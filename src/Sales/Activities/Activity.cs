using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Sales.Activities;

/// <summary>Something that happened with a customer: a call, a meeting, a logged email or a note. Owned by who logged it.</summary>
public sealed class Activity : AuditedEntity
{
    public const int SubjectMaxLength = 200;
    public const int BodyMaxLength = 10_000;
    public const int OutcomeMaxLength = 200;

    public string Kind { get; set; } = ActivityKinds.Note;
    public string Subject { get; set; } = "";
    public string? Body { get; set; }
    public DateTime OccurredAt { get; set; }
    /// <summary>Calls and meetings only.</summary>
    public int? DurationMinutes { get; set; }
    public string? Outcome { get; set; }
    /// <summary>A person or organization of the contact directory.</summary>
    public Guid? ContactId { get; set; }
    public Guid? OpportunityId { get; set; }
    /// <summary>A lead of Sales, before (and after) it is converted.</summary>
    public Guid? LeadId { get; set; }

    public ActivityLogged Logged() => new(
        Guid.CreateVersion7(), CreatedAt, TenantId, Id, Version, Kind, OccurredAt, DurationMinutes, ContactId, OpportunityId, OwnerId, LeadId);

    /// <summary>GDPR erasure: what was said goes; that something happened, when and how long, stays.</summary>
    public void EraseFreeText()
    {
        Subject = ErasedText;
        Body = null;
        Outcome = null;
    }

    public const string ErasedText = "(erased)";
}

public static class ActivityKinds
{
    public const string Call = "call";
    public const string Meeting = "meeting";
    public const string Email = "email";
    public const string Note = "note";

    public static readonly IReadOnlyList<string> All = [Call, Meeting, Email, Note];

    public static bool HasDuration(string kind) => kind is Call or Meeting;
}
