using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Consents;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Apis;

/// <param name="DoubleOptInRequestId">Set by the platform's own double opt-in on the grant it confirms; ignored in requests.</param>
/// <param name="Wording">The consent text the person was shown, as they saw it (a web form's wording beside its box).</param>
public sealed record ConsentEvidenceDto(
    string? FormId, string? FormUrl, string? IpAddress, string? UserAgent, DateTime? DoubleOptInConfirmedAt, Guid? DoubleOptInRequestId = null,
    string? Wording = null)
{
    public ConsentEvidence ToEvidence() => new()
    {
        FormId = Clean(FormId),
        FormUrl = Clean(FormUrl),
        IpAddress = Clean(IpAddress),
        UserAgent = Clean(UserAgent),
        DoubleOptInConfirmedAt = DoubleOptInConfirmedAt,
        Wording = Clean(Wording),
    };

    public static ConsentEvidenceDto From(ConsentEvidence e) =>
        new(e.FormId, e.FormUrl, e.IpAddress, e.UserAgent, e.DoubleOptInConfirmedAt, e.DoubleOptInRequestId, e.Wording);

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>A grant or a withdrawal of one purpose on one channel, as a client states it.</summary>
public sealed record ConsentRequest(
    string? Purpose, string? Channel, string? Status, string? Source, DateTime? ValidFrom, DateTime? ValidUntil, string? Reason,
    ConsentEvidenceDto? Evidence)
{
    public ConsentEvidence ToEvidence() => Evidence?.ToEvidence() ?? ConsentEvidence.None;

    public FieldErrors Validate(DateTime now) =>
        ConsentRules.Check(Purpose, Channel, Status, Source, ValidFrom, ValidUntil, Reason, ToEvidence(), now);

    public ConsentRecord ApplyTo(Consent consent, string recordedBy, DateTime now) => Status == ConsentValues.Granted
        ? consent.Grant(Source!, ValidFrom ?? now, ValidUntil, ToEvidence(), recordedBy, now)
        : consent.Withdraw(Source!, string.IsNullOrWhiteSpace(Reason) ? null : Reason.Trim(), ToEvidence(), recordedBy, now);
}

/// <summary>One statement in a consent's history.</summary>
public sealed record ConsentRecordResponse(
    Guid Id, Guid ConsentId, Guid PersonId, string Purpose, string Channel, string Status, string Source,
    DateTime? ValidFrom, DateTime? ValidUntil, string? Reason, ConsentEvidenceDto Evidence, DateTime RecordedAt, string RecordedBy, int Version)
{
    public static ConsentRecordResponse From(ConsentRecord r) => new(
        r.Id, r.ConsentId, r.PersonId, r.Purpose, r.Channel, r.Status, r.Source, r.ValidFrom, r.ValidUntil, r.Reason,
        ConsentEvidenceDto.From(r.Evidence), r.CreatedAt, r.RecordedBy, r.Version);
}

/// <summary>
/// The current consent for one purpose on one channel: what was last stated (<c>status</c>) and what it means now
/// (<c>contactAllowed</c>, <c>effectiveStatus</c>: granted, expired, not-yet-valid or withdrawn, by the shared rule).
/// </summary>
public sealed record ConsentResponse(
    Guid Id, string Purpose, string Channel, string Status, string EffectiveStatus, bool ContactAllowed,
    DateTime? ValidFrom, DateTime? ValidUntil, DateTime ChangedAt, string ChangedBy, string Source, string? Reason,
    ConsentEvidenceDto Evidence, int Version)
{
    public static ConsentResponse From(Consent consent, ConsentRecord latest, DateTime now)
    {
        var decision = ContactRule.Decide(consent, now);
        return new(consent.Id, consent.Purpose, consent.Channel, consent.Status, decision.Reason, decision.Allowed,
            consent.ValidFrom, consent.ValidUntil, consent.ChangedAt, latest.RecordedBy, latest.Source, latest.Reason,
            ConsentEvidenceDto.From(latest.Evidence), consent.Version);
    }
}

public sealed record ConsentList(IReadOnlyList<ConsentResponse> Items);

/// <summary>
/// A person's consents: the current state per purpose and channel, the full history, and recording a grant or a
/// withdrawal. The person decides visibility: another tenant's or an out-of-scope person answers 404 here too.
/// </summary>
public static class ConsentsApi
{
    private const string PersonResource = "person";

    public static RouteGroupBuilder MapConsentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/people/{personId:guid}/consents").WithTags("Consents");
        api.MapGet("/", ListCurrentConsents).RequirePermission(Permissions.Consents, Operation.Read);
        // Recording is a create, but under a person that may not exist (or be out of scope).
        api.MapPost("/", RecordConsent).RequirePermission(Permissions.Consents, Operation.Create).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/history", ListConsentHistory).Lists(HistoryFields).RequirePermission(Permissions.Consents, Operation.Read);
        api.MapGet("/history/{recordId:guid}", GetConsentRecord).RequirePermission(Permissions.Consents, Operation.Read);
        return api;
    }

    private static readonly ListFields<ConsentRecord> HistoryFields = new ListFields<ConsentRecord>()
        .Filter("purpose", r => r.Purpose)
        .Filter("channel", r => r.Channel)
        .Filter("status", r => r.Status);

    public static async Task<Results<Ok<ConsentList>, ProblemHttpResult>> ListCurrentConsents(
        Guid personId, ContactsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!await db.People.AnyAsync(p => p.Id == personId, cancellationToken))
        {
            return ApiProblems.NotFound(PersonResource, personId);
        }
        var rows = await (
            from consent in db.Consents.AsNoTracking()
            join latest in db.ConsentRecords.AsNoTracking() on consent.LatestRecordId equals latest.Id
            where consent.PersonId == personId
            select new { consent, latest }).ToListAsync(cancellationToken);

        var now = clock.GetUtcNow().UtcDateTime;
        var items = rows
            .OrderBy(row => Order(ConsentValues.Purposes, row.consent.Purpose)).ThenBy(row => Order(ConsentValues.Channels, row.consent.Channel))
            .Select(row => ConsentResponse.From(row.consent, row.latest, now))
            .ToList();
        return TypedResults.Ok(new ConsentList(items));
    }

    public static async Task<Results<Created<ConsentRecordResponse>, ValidationProblem, ProblemHttpResult>> RecordConsent(
        Guid personId, ConsentRequest request, ContactsDbContext db, TimeProvider clock, HttpResponse response, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var errors = request.Validate(now);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return await db.RetryWhenFirstStatementsRaceAsync<Results<Created<ConsentRecordResponse>, ValidationProblem, ProblemHttpResult>>(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (!await db.LockPersonAsync(personId, cancellationToken))
            {
                return ApiProblems.NotFound(PersonResource, personId);
            }
            var actor = ConsentLedger.Actor(db);
            var record = await db.RecordConsentAsync(personId, request.Purpose!, request.Channel!,
                consent => request.ApplyTo(consent, actor, now), now, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);

            ETags.Set(response, record.Version);
            return TypedResults.Created($"/api/v1/people/{personId}/consents/history/{record.Id}", ConsentRecordResponse.From(record));
        }, conflict => conflict);
    }

    public static async Task<Results<Ok<CursorPage<ConsentRecordResponse>>, ValidationProblem, ProblemHttpResult>> ListConsentHistory(
        Guid personId, ContactsDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<ConsentRecord>.TryParse(request.Query, HistoryFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (!await db.People.AnyAsync(p => p.Id == personId, cancellationToken))
        {
            return ApiProblems.NotFound(PersonResource, personId);
        }
        var history = db.ConsentRecords.AsNoTracking().Where(r => r.PersonId == personId);
        return TypedResults.Ok(await list.ToPageAsync(history, ConsentRecordResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<ConsentRecordResponse>, ProblemHttpResult>> GetConsentRecord(
        Guid personId, Guid recordId, ContactsDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        if (!await db.People.AnyAsync(p => p.Id == personId, cancellationToken))
        {
            return ApiProblems.NotFound(PersonResource, personId);
        }
        var record = await db.ConsentRecords.AsNoTracking().SingleOrDefaultAsync(r => r.Id == recordId && r.PersonId == personId, cancellationToken);
        if (record is null)
        {
            return ApiProblems.NotFound("consent record", recordId);
        }
        ETags.Set(response, record.Version);
        return TypedResults.Ok(ConsentRecordResponse.From(record));
    }

    private static int Order(IReadOnlyList<string> catalogue, string value) =>
        catalogue.ToList().IndexOf(value) is var index and >= 0 ? index : int.MaxValue;
}
