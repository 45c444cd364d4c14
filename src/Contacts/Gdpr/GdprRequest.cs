using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Contacts.Gdpr;

/// <summary>What a data subject can ask for, as the API writes it.</summary>
public static class GdprRequestTypes
{
    public const string Access = "access";
    public const string Erasure = "erasure";
    public const string Restriction = "restriction";
    public const string RestrictionLifted = "restriction-lifted";
    public const string Objection = "objection";
    public const string ObjectionWithdrawn = "objection-withdrawn";

    public static readonly IReadOnlyList<string> All = [Access, Erasure, Restriction, RestrictionLifted, Objection, ObjectionWithdrawn];

    /// <summary>Types every service must answer; the others are recorded on the person and travel in its events.</summary>
    public static bool AskServices(string type) => type is Access or Erasure;
}

public static class GdprRequestStatuses
{
    public const string InProgress = "in-progress";
    public const string Completed = "completed";
}

/// <summary>
/// A data subject request (GDPR Art. 15-21) about one person, and which of the services expected to answer have
/// answered. An access or erasure request is in progress until every expected service has; the others complete when
/// recorded.
/// </summary>
public sealed class GdprRequest : Entity
{
    public Guid PersonId { get; init; }
    public string Type { get; init; } = "";
    public string Status { get; set; } = GdprRequestStatuses.InProgress;
    /// <summary>The user or API client that asked, or <c>retention-policy</c>.</summary>
    public string RequestedBy { get; init; } = "";
    /// <summary>The services whose answer completes it, fixed when it was made (configuration may change later).</summary>
    public string[] ExpectedServices { get; init; } = [];
    public DateTime? CompletedAt { get; set; }
    public List<GdprServiceReply> Replies { get; init; } = [];
}

/// <summary>One service's answer: its part of the export (access) or its confirmation and counts (erasure).</summary>
public sealed class GdprServiceReply : ITenantOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid RequestId { get; init; }
    public string Service { get; init; } = "";
    /// <summary>When the service answered (for an erasure: when it erased).</summary>
    public DateTime At { get; init; }
    /// <summary>JSON: the service's data (access) or its erased counts (erasure).</summary>
    public string Content { get; init; } = "{}";
}
