using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Contacts.Model;

/// <summary>
/// One statement in a consent's history: a grant or a withdrawal, who recorded it and when, where it came from and the
/// evidence. Never changed or deleted (the database refuses it), so the history can show what was true at any time.
/// </summary>
public sealed class ConsentRecord : ITenantOwned, IKeysetOrdered
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    /// <summary>When it was recorded: for a withdrawal, when the withdrawal took effect.</summary>
    public DateTime CreatedAt { get; init; }
    public Guid ConsentId { get; init; }
    public Guid PersonId { get; init; }
    public string Purpose { get; init; } = "";
    public string Channel { get; init; } = "";
    public string Status { get; init; } = "";
    public string Source { get; init; } = "";
    public DateTime? ValidFrom { get; init; }
    public DateTime? ValidUntil { get; init; }
    /// <summary>Why it was withdrawn, when it is a withdrawal and someone said.</summary>
    public string? Reason { get; init; }
    public ConsentEvidence Evidence { get; init; } = ConsentEvidence.None;
    /// <summary>The user or API client that recorded it (the token's subject).</summary>
    public string RecordedBy { get; init; } = "";
    /// <summary>The consent's version this statement produced: the version its ConsentChanged event carries.</summary>
    public int Version { get; set; }
}
