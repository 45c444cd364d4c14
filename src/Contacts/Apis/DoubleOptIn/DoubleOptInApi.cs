using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.DoubleOptIn;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence.Mail;
using CrmPlatform.Persistence.Outbox;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Contacts.Apis.DoubleOptIn;

/// <summary>
/// A consent to be confirmed by the person: what they asked for (on a web form, say) and the window they grant. The
/// email goes to their primary address; only the email channel can be confirmed this way.
/// </summary>
public sealed record DoubleOptInRequestBody(string? Purpose, string? Channel, string? Source, DateTime? ValidUntil, ConsentEvidenceDto? Evidence)
{
    public ConsentEvidence ToEvidence() => Evidence?.ToEvidence() ?? ConsentEvidence.None;

    public FieldErrors Validate(DateTime now) =>
        ConsentRules.Check(Purpose, Channel, ConsentValues.Granted, Source, null, ValidUntil, null, ToEvidence(), now)
            .When(Channel is not null && ConsentValues.Channels.Contains(Channel) && Channel != "email", "channel",
                "Double opt-in confirms an email address: channel must be email.")
            .When(Evidence?.DoubleOptInConfirmedAt is not null, "evidence.doubleOptInConfirmedAt",
                "The platform records the confirmation itself when the person confirms.");
}

/// <summary>A double opt-in request as its person's consents show it; the link's token is never shown.</summary>
public sealed record DoubleOptInResponse(
    Guid Id, Guid PersonId, Guid ConsentId, string Purpose, string Channel, string State, string Email, DateTime? ValidUntil,
    DateTime CreatedAt, DateTime ExpiresAt, DateTime? EndedAt, Guid PendingRecordId, Guid? GrantRecordId,
    DateTime? EmailSentAt, int EmailAttempts)
{
    public static DoubleOptInResponse From(DoubleOptInRequest r, OutgoingEmail? email) => new(
        r.Id, r.PersonId, r.ConsentId, r.Purpose, r.Channel, KindNames.Of(r.State), r.Email, r.ValidUntil, r.CreatedAt, r.ExpiresAt, r.EndedAt,
        r.PendingRecordId, r.GrantRecordId, email?.SentAt, email?.Attempts ?? 0);
}

/// <summary>
/// Starting a double opt-in for a person (<c>POST …/consents/double-opt-in</c>: the consent becomes pending and a
/// confirmation email is queued) and following it (<c>GET …/double-opt-in/{id}</c>). The person decides visibility as
/// for every consent endpoint.
/// </summary>
public static class DoubleOptInApi
{
    private const string PersonResource = "person";

    public static RouteGroupBuilder MapDoubleOptInApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/people/{personId:guid}/consents/double-opt-in").WithTags("Consents");
        api.MapPost("/", RequestConfirmation).RequirePermission(Permissions.Consents, Operation.Create)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapGet("/{requestId:guid}", GetRequest).WithName("getDoubleOptInRequest").RequirePermission(Permissions.Consents, Operation.Read);
        return api;
    }

    public static async Task<Results<Accepted<DoubleOptInResponse>, ValidationProblem, ProblemHttpResult>> RequestConfirmation(
        Guid personId, DoubleOptInRequestBody body, ContactsDbContext db, IServiceProvider services, IOptions<DoubleOptInSettings> settings,
        [FromKeyedServices(EmailOutbox.SignalKey)] OutboxSignal mail, TimeProvider clock, HttpResponse response, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var errors = body.Validate(now);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (services.GetService<MailServer>() is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "No mail server",
                detail: "Double opt-in sends an email, and this service has no SMTP server configured (ConnectionStrings__mail).");
        }

        return await db.RetryWhenFirstStatementsRaceAsync<Results<Accepted<DoubleOptInResponse>, ValidationProblem, ProblemHttpResult>>(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (!await db.LockPersonAsync(personId, cancellationToken))
            {
                return ApiProblems.NotFound(PersonResource, personId);
            }
            var person = await db.People.SingleAsync(p => p.Id == personId, cancellationToken);
            if (person.DoNotEmail)
            {
                return ApiProblems.Conflict("The person asked not to be emailed (communicationPreferences.doNotEmail), so no confirmation email can be sent.");
            }
            var requested = await db.RequestAsync(person, body.Purpose!, body.Channel!, body.Source!, body.ValidUntil, body.ToEvidence(),
                settings.Value, now, cancellationToken);
            if (requested is null)
            {
                return ApiProblems.Conflict($"The person's {body.Purpose} consent by {body.Channel} is granted and in force; there is nothing to confirm.");
            }
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            mail.Notify();

            ETags.Set(response, requested.Pending.Version);
            return TypedResults.Accepted($"/api/v1/people/{personId}/consents/double-opt-in/{requested.Request.Id}",
                DoubleOptInResponse.From(requested.Request, requested.Email));
        }, conflict => conflict);
    }

    public static async Task<Results<Ok<DoubleOptInResponse>, ProblemHttpResult>> GetRequest(
        Guid personId, Guid requestId, ContactsDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.People.AnyAsync(p => p.Id == personId, cancellationToken))
        {
            return ApiProblems.NotFound(PersonResource, personId);
        }
        var found = await (
            from request in db.DoubleOptInRequests.AsNoTracking()
            join email in db.OutgoingEmails.AsNoTracking() on request.EmailId equals email.Id into emails
            from email in emails.DefaultIfEmpty()
            where request.Id == requestId && request.PersonId == personId
            select new { request, email }).SingleOrDefaultAsync(cancellationToken);
        return found is null
            ? ApiProblems.NotFound("double opt-in request", requestId)
            : TypedResults.Ok(DoubleOptInResponse.From(found.request, found.email));
    }
}
