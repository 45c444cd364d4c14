using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Persistence.Consents;
using CrmPlatform.Persistence.Mail;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.DoubleOptIn;

/// <summary>What became of a confirmation.</summary>
public enum ConfirmationOutcome
{
    /// <summary>The link is good and not used yet (what looking at it says).</summary>
    Open,
    Confirmed,
    UnknownToken,
    AlreadyConfirmed,
    Expired,
    /// <summary>A newer request replaced it, the consent changed after it, or the person is gone.</summary>
    NoLongerValid,
}

public sealed record Confirmation(ConfirmationOutcome Outcome, DoubleOptInRequest? Request);

/// <summary>
/// The double opt-in's statements, recorded through <see cref="ConsentLedger"/> so that each one is history, an event
/// and an audit entry like any other: the pending statement with its email (in the email outbox) when asked, the grant
/// when the person confirms, the withdrawal when they never do. Each runs in a transaction that locks the person and
/// the consent, so a request, its confirmation, its expiry and any other statement about the consent apply in turn.
/// </summary>
internal static class DoubleOptInLedger
{
    public const string Actor = "double-opt-in";

    public sealed record Requested(DoubleOptInRequest Request, OutgoingEmail Email, ConsentRecord Pending);

    /// <summary>
    /// Records the pending statement and queues the email; the caller has locked the person and commits. Returns null
    /// when the consent is granted and in force already (nothing to confirm).
    /// </summary>
    public static async Task<Requested?> RequestAsync(
        this ContactsDbContext db, Person person, string purpose, string channel, string source, DateTime? validUntil, ConsentEvidence evidence,
        DoubleOptInSettings settings, DateTime now, CancellationToken cancellationToken)
    {
        var consent = await db.LockConsentAsync(person.Id, purpose, channel, cancellationToken);
        if (consent is not null && ContactRule.Decide(consent, now).Allowed)
        {
            return null;
        }

        // Only the newest link counts: an older one would confirm a request the person may no longer mean.
        var earlier = await db.DoubleOptInRequests
            .Where(r => r.PersonId == person.Id && r.Purpose == purpose && r.Channel == channel && r.State == DoubleOptInState.Pending)
            .ToListAsync(cancellationToken);
        earlier.ForEach(r => r.Superseded(now));

        var pending = await db.RecordConsentAsync(person.Id, purpose, channel,
            c => c.AwaitConfirmation(source, evidence, ConsentLedger.Actor(db), now), now, cancellationToken);

        var token = OpaqueToken.New();
        var expiresAt = now + settings.RequestLifetime;
        var content = ConfirmationEmail.Compose(person.Language, purpose, channel, $"{settings.ConfirmationUrl}?token={token}", expiresAt);
        var email = db.OutgoingEmails.Add(OutgoingEmail.Create(person.Email, content.Subject, content.Text, content.Html, expiresAt, now)).Entity;
        var request = db.DoubleOptInRequests.Add(new DoubleOptInRequest
        {
            CreatedAt = now,
            PersonId = person.Id,
            ConsentId = pending.ConsentId,
            Purpose = purpose,
            Channel = channel,
            PendingRecordId = pending.Id,
            Source = source,
            ValidUntil = validUntil,
            Email = person.Email,
            TokenHash = OpaqueToken.Hash(token),
            ExpiresAt = expiresAt,
            EmailId = email.Id,
        }).Entity;
        return new Requested(request, email, pending);
    }

    /// <summary>
    /// Confirms by token. Tokens carry no tenant: the request is found by the token's hash across tenants, and the
    /// caller's <see cref="TenantContext"/> is then set to its tenant, so everything after is that tenant's as usual.
    /// </summary>
    public static async Task<Confirmation> ConfirmAsync(
        this ContactsDbContext db, TenantContext tenant, string token, string? ipAddress, string? userAgent, DateTime now, CancellationToken cancellationToken)
    {
        var hash = OpaqueToken.Hash(token);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var request = await db.DoubleOptInRequests.FromSql($"SELECT * FROM double_opt_in_requests WHERE token_hash = {hash} FOR UPDATE")
            .IgnoreQueryFilters().SingleOrDefaultAsync(cancellationToken);
        if (request is null)
        {
            return new(ConfirmationOutcome.UnknownToken, null);
        }
        if (Ended(request, now) is { } ended)
        {
            return new(ended, request);
        }

        tenant.TenantId = request.TenantId;
        tenant.ActorId = Actor;
        var pending = await db.LockPersonAsync(request.PersonId, cancellationToken)
            ? await db.LockConsentAsync(request.PersonId, request.Purpose, request.Channel, cancellationToken)
            : null;
        if (pending?.LatestRecordId != request.PendingRecordId)
        {
            request.Superseded(now);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new(ConfirmationOutcome.NoLongerValid, request);
        }

        var asked = await db.ConsentRecords.AsNoTracking().SingleAsync(r => r.Id == request.PendingRecordId, cancellationToken);
        var evidence = new ConsentEvidence
        {
            FormId = asked.Evidence.FormId,
            FormUrl = asked.Evidence.FormUrl,
            Wording = asked.Evidence.Wording,
            IpAddress = Truncate(ipAddress, ConsentEvidence.IpAddressMaxLength),
            UserAgent = Truncate(userAgent, ConsentEvidence.UserAgentMaxLength),
            DoubleOptInConfirmedAt = now,
            DoubleOptInRequestId = request.Id,
        };
        var grant = await db.RecordConsentAsync(request.PersonId, request.Purpose, request.Channel,
            c => c.Grant(request.Source, now, request.ValidUntil is { } until && until > now ? until : null, evidence, Actor, now), now, cancellationToken);
        request.Confirmed(grant.Id, now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new(ConfirmationOutcome.Confirmed, request);
    }

    /// <summary>What a token's request says without confirming it (the page shown before the person confirms).</summary>
    public static async Task<Confirmation> InspectAsync(this ContactsDbContext db, string token, DateTime now, CancellationToken cancellationToken)
    {
        var hash = OpaqueToken.Hash(token);
        var request = await db.DoubleOptInRequests.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(r => r.TokenHash == hash, cancellationToken);
        return request is null ? new(ConfirmationOutcome.UnknownToken, null) : new(Ended(request, now) ?? ConfirmationOutcome.Open, request);
    }

    /// <summary>
    /// Ends an unconfirmed request whose time is up. If the consent is still pending from it, the pending statement is
    /// followed by a withdrawal: the person did not consent, and subscribers hear it as they hear any withdrawal.
    /// The caller has set the tenant to the request's.
    /// </summary>
    public static async Task ExpireAsync(this ContactsDbContext db, Guid requestId, DateTime now, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var request = await db.DoubleOptInRequests.FromSql($"SELECT * FROM double_opt_in_requests WHERE id = {requestId} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        if (request is not { State: DoubleOptInState.Pending } || request.ExpiresAt > now)
        {
            return;
        }
        if (await db.LockPersonAsync(request.PersonId, cancellationToken)
            && await db.LockConsentAsync(request.PersonId, request.Purpose, request.Channel, cancellationToken) is { } consent
            && consent.LatestRecordId == request.PendingRecordId)
        {
            await db.RecordConsentAsync(request.PersonId, request.Purpose, request.Channel,
                c => c.Withdraw(request.Source, "The double opt-in was not confirmed in time.", new ConsentEvidence { DoubleOptInRequestId = request.Id }, Actor, now),
                now, cancellationToken);
        }
        request.Expired(now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static ConfirmationOutcome? Ended(DoubleOptInRequest request, DateTime now) => request.State switch
    {
        DoubleOptInState.Confirmed => ConfirmationOutcome.AlreadyConfirmed,
        DoubleOptInState.Superseded => ConfirmationOutcome.NoLongerValid,
        _ when request.IsExpiredAt(now) => ConfirmationOutcome.Expired,
        _ => null,
    };

    private static string? Truncate(string? value, int length) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Length > length ? value[..length] : value;
}
