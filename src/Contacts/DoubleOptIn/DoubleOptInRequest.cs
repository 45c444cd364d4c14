using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Contacts.DoubleOptIn;

public enum DoubleOptInState
{
    Pending,
    Confirmed,
    /// <summary>Not confirmed in time; the pending consent was withdrawn if it was still this request's.</summary>
    Expired,
    /// <summary>A newer request for the same consent replaced it, or another statement about the consent came after it.</summary>
    Superseded,
}

/// <summary>
/// One double opt-in: the pending statement it recorded, the address its link went to and the link's token, of which
/// only the SHA-256 is kept (the link itself exists only in the email until it is sent). Confirmed at most once.
/// </summary>
public sealed class DoubleOptInRequest : ITenantOwned
{
    public const int EmailMaxLength = 320;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public DateTime CreatedAt { get; init; }
    public Guid PersonId { get; init; }
    public Guid ConsentId { get; init; }
    public string Purpose { get; init; } = "";
    public string Channel { get; init; } = "";
    /// <summary>The statement that made the consent pending; confirming needs the consent still to be in it.</summary>
    public Guid PendingRecordId { get; init; }
    /// <summary>Where the request came from (the grant keeps it), e.g. web-form.</summary>
    public string Source { get; init; } = "";
    /// <summary>The end of the window the person grants by confirming (open-ended when null).</summary>
    public DateTime? ValidUntil { get; init; }
    public string Email { get; init; } = "";
    public string TokenHash { get; init; } = "";
    public DateTime ExpiresAt { get; init; }
    /// <summary>The confirmation email in the email outbox.</summary>
    public Guid EmailId { get; init; }
    public DoubleOptInState State { get; private set; }
    /// <summary>When it was confirmed, expired or superseded.</summary>
    public DateTime? EndedAt { get; private set; }
    public Guid? GrantRecordId { get; private set; }

    public bool IsExpiredAt(DateTime now) => State == DoubleOptInState.Expired || (State == DoubleOptInState.Pending && ExpiresAt <= now);

    public void Confirmed(Guid grantRecordId, DateTime now) => End(DoubleOptInState.Confirmed, now, grantRecordId);

    public void Expired(DateTime now) => End(DoubleOptInState.Expired, now);

    public void Superseded(DateTime now) => End(DoubleOptInState.Superseded, now);

    private void End(DoubleOptInState state, DateTime now, Guid? grantRecordId = null)
    {
        if (State != DoubleOptInState.Pending)
        {
            throw new InvalidOperationException($"The double opt-in request {Id} is already {State}.");
        }
        State = state;
        EndedAt = now;
        GrantRecordId = grantRecordId;
    }
}
