using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence.Consents;
using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Contacts.Model;

/// <summary>
/// A person's consent for one purpose on one channel: its current state, kept beside its append-only history
/// (<see cref="ConsentRecord"/>) and changed only by recording a statement, which appends to that history. One per
/// person × purpose × channel; its version counts the statements.
/// </summary>
public sealed class Consent : Entity, IConsentState
{
    public Guid PersonId { get; private init; }
    public string Purpose { get; private init; } = "";
    public string Channel { get; private init; } = "";
    public string Status { get; private set; } = "";
    public DateTime? ValidFrom { get; private set; }
    public DateTime? ValidUntil { get; private set; }
    /// <summary>When the current state was recorded: for a withdrawal, when it took effect.</summary>
    public DateTime ChangedAt { get; private set; }
    /// <summary>The statement that made the current state, for its source, evidence and author.</summary>
    public Guid LatestRecordId { get; private set; }

    public static Consent Start(Guid personId, string purpose, string channel) =>
        new() { PersonId = personId, Purpose = purpose, Channel = channel };

    /// <summary>Grants (or renews) consent for the window [validFrom, validUntil); open-ended without validUntil.</summary>
    public ConsentRecord Grant(string source, DateTime validFrom, DateTime? validUntil, ConsentEvidence evidence, string recordedBy, DateTime now)
    {
        if (validUntil <= validFrom)
        {
            throw new ArgumentException("A consent's validity must end after it starts.", nameof(validUntil));
        }
        Status = ConsentValues.Granted;
        ValidFrom = validFrom;
        ValidUntil = validUntil;
        return Append(source, reason: null, evidence, recordedBy, now);
    }

    /// <summary>
    /// Asks the person to confirm by double opt-in: no permission until they do (nor if they never do), whatever was
    /// stated before. The window they will grant is the request's, applied on confirmation.
    /// </summary>
    public ConsentRecord AwaitConfirmation(string source, ConsentEvidence evidence, string recordedBy, DateTime now)
    {
        Status = ConsentValues.Pending;
        ValidFrom = null;
        ValidUntil = null;
        return Append(source, reason: null, evidence, recordedBy, now);
    }

    /// <summary>Withdraws consent from now on. Allowed without an earlier grant: an explicit "do not contact" is worth keeping.</summary>
    public ConsentRecord Withdraw(string source, string? reason, ConsentEvidence evidence, string recordedBy, DateTime now)
    {
        Status = ConsentValues.Withdrawn;
        ValidFrom = null;
        ValidUntil = null;
        return Append(source, reason, evidence, recordedBy, now);
    }

    private ConsentRecord Append(string source, string? reason, ConsentEvidence evidence, string recordedBy, DateTime now)
    {
        var record = new ConsentRecord
        {
            CreatedAt = now,
            ConsentId = Id,
            PersonId = PersonId,
            Purpose = Purpose,
            Channel = Channel,
            Status = Status,
            Source = source,
            ValidFrom = ValidFrom,
            ValidUntil = ValidUntil,
            Reason = reason,
            Evidence = evidence,
            RecordedBy = recordedBy,
        };
        LatestRecordId = record.Id;
        ChangedAt = now;
        return record;
    }

    /// <summary>The event for the state after the change; the consent must be stamped first, as it carries the new version.</summary>
    public ConsentChanged Changed() =>
        new(Guid.CreateVersion7(), ChangedAt, TenantId, Id, Version, PersonId, Purpose, Channel, Status, ValidFrom, ValidUntil);
}
