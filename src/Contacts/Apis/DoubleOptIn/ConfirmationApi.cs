using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.DoubleOptIn;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrmPlatform.Contacts.Apis.DoubleOptIn;

public sealed record ConfirmationBody(string? Token);

/// <summary>What the person confirmed: the purpose and channel, nothing about who they are.</summary>
public sealed record ConfirmationResponse(string Purpose, string Channel, string Status, DateTime ConfirmedAt);

/// <summary>
/// The person's side of double opt-in, anonymous by nature (the token is the credential) and rate-limited per client
/// address: <c>GET /api/v1/consents/confirm?token=</c> shows a page with a button (opening a link changes nothing, so
/// mail scanners that follow links confirm nothing), which posts to <c>…/confirm/page</c>; <c>POST …/confirm</c> with
/// <c>{ "token" }</c> is the same for a client's own page. Answers never name the person.
/// </summary>
public static class ConfirmationApi
{
    public const string Path = "/api/v1/consents/confirm";
    private const int TokenMaxLength = 200;

    public static RouteGroupBuilder MapConfirmationApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Path).WithTags("Consent confirmation").AllowAnonymous()
            .RequireRateLimiting(DoubleOptInExtensions.ConfirmationRateLimit).DisableAntiforgery();
        api.MapPost("/", Confirm)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone).ProducesProblem(StatusCodes.Status429TooManyRequests);
        api.MapGet("/", ShowPage).ExcludeFromDescription();
        api.MapPost("/page", ConfirmFromPage).ExcludeFromDescription();
        return api;
    }

    public static async Task<Results<Ok<ConfirmationResponse>, ValidationProblem, ProblemHttpResult>> Confirm(
        ConfirmationBody body, ContactsDbContext db, TenantContext tenant, TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .When(string.IsNullOrWhiteSpace(body.Token), "token", "token is required.")
            .MaxLength("token", body.Token, TokenMaxLength);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var confirmation = await ConfirmAsync(db, tenant, body.Token!.Trim(), clock, context, cancellationToken);
        return confirmation.Outcome == ConfirmationOutcome.Confirmed
            ? TypedResults.Ok(new ConfirmationResponse(confirmation.Request!.Purpose, confirmation.Request.Channel, "granted", confirmation.Request.EndedAt!.Value))
            : Problem(confirmation.Outcome);
    }

    public static async Task<ContentHttpResult> ShowPage(string? token, ContactsDbContext db, TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > TokenMaxLength)
        {
            return ConfirmationPage.Ended(context, ConfirmationOutcome.UnknownToken);
        }
        var inspected = await db.InspectAsync(token.Trim(), clock.GetUtcNow().UtcDateTime, cancellationToken);
        return inspected.Outcome == ConfirmationOutcome.Open
            ? ConfirmationPage.Ask(context, token.Trim(), inspected.Request!)
            : ConfirmationPage.Ended(context, inspected.Outcome);
    }

    public static async Task<ContentHttpResult> ConfirmFromPage(
        HttpRequest request, ContactsDbContext db, TenantContext tenant, TimeProvider clock, CancellationToken cancellationToken)
    {
        var token = request.HasFormContentType ? (await request.ReadFormAsync(cancellationToken))["token"].ToString().Trim() : "";
        if (token.Length is 0 or > TokenMaxLength)
        {
            return ConfirmationPage.Ended(request.HttpContext, ConfirmationOutcome.UnknownToken);
        }
        var confirmation = await ConfirmAsync(db, tenant, token, clock, request.HttpContext, cancellationToken);
        return confirmation.Outcome == ConfirmationOutcome.Confirmed
            ? ConfirmationPage.Confirmed(request.HttpContext, confirmation.Request!)
            : ConfirmationPage.Ended(request.HttpContext, confirmation.Outcome);
    }

    private static Task<Confirmation> ConfirmAsync(
        ContactsDbContext db, TenantContext tenant, string token, TimeProvider clock, HttpContext context, CancellationToken cancellationToken) =>
        db.ConfirmAsync(tenant, token, context.Connection.RemoteIpAddress?.ToString(), context.Request.Headers.UserAgent.ToString(),
            clock.GetUtcNow().UtcDateTime, cancellationToken);

    public static int StatusOf(ConfirmationOutcome outcome) => outcome switch
    {
        ConfirmationOutcome.Open or ConfirmationOutcome.Confirmed => StatusCodes.Status200OK,
        ConfirmationOutcome.AlreadyConfirmed => StatusCodes.Status409Conflict,
        ConfirmationOutcome.Expired or ConfirmationOutcome.NoLongerValid => StatusCodes.Status410Gone,
        _ => StatusCodes.Status404NotFound,
    };

    public static string Explain(ConfirmationOutcome outcome) => outcome switch
    {
        ConfirmationOutcome.AlreadyConfirmed => "This link has already been used: the consent is confirmed.",
        ConfirmationOutcome.Expired => "This link has expired. Ask for a new confirmation email.",
        ConfirmationOutcome.NoLongerValid => "This link is no longer valid: a newer confirmation email was sent, or the consent changed since.",
        _ => "This confirmation link is not valid.",
    };

    private static ProblemHttpResult Problem(ConfirmationOutcome outcome) => TypedResults.Problem(
        statusCode: StatusOf(outcome),
        title: outcome switch
        {
            ConfirmationOutcome.AlreadyConfirmed => "Already confirmed",
            ConfirmationOutcome.Expired => "Expired",
            ConfirmationOutcome.NoLongerValid => "No longer valid",
            _ => "Not found",
        },
        detail: Explain(outcome));
}
