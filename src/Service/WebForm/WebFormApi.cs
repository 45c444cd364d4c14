using CrmPlatform.Service.Data;
using CrmPlatform.Service.Tickets;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Service.WebForm;

/// <param name="Website">The honeypot: hidden from people by the page, filled by bots that fill every field.</param>
/// <param name="FormToken">From <c>GET …/requests/form-token</c> when the form was shown.</param>
public sealed record WebFormRequest(
    string? Name, string? Email, string? Subject, string? Description, string? Category = null, string? Language = null,
    string? Website = null, string? FormToken = null)
{
    public const int DescriptionMaxLength = 20_000;

    public FieldErrors Validate() => new FieldErrors()
        .Required("name", Name, Ticket.NameMaxLength)
        .Required("email", Email, 320)
        .Email("email", Email)
        .Required("subject", Subject, Ticket.SubjectMaxLength)
        .Required("description", Description, DescriptionMaxLength)
        .MaxLength("category", Category, Ticket.ValueMaxLength)
        .When(Language is not null && !IsLanguageTag(Language), "language", "language is a language tag such as de or en-GB.");

    private static bool IsLanguageTag(string value) =>
        value.Length is >= 2 and <= 35 && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && char.IsAsciiLetter(value[0]);
}

public sealed record FormTokenResponse(string Token, int MinimumFillSeconds, DateTimeOffset ExpiresAt);

public sealed record WebFormReceipt(string Status);

/// <summary>
/// <c>/api/v1/help-centre/{tenantId}/requests</c>: the public support form, anonymous, for tenants that run a desk
/// (have a support address). Against bots without third parties: a honeypot field (filled: answered as if received,
/// and dropped, so the bot learns nothing), a signed form token with a minimum fill time (too fast, forged, expired:
/// 422, because a person who was quick or left the page open can simply send again), and rate limits per client
/// address and per tenant (429 with Retry-After).
/// </summary>
public static class WebFormApi
{
    public static RouteGroupBuilder MapWebFormApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/help-centre/{tenantId:guid}/requests").WithTags("Help centre").AllowAnonymous();
        api.MapGet("/form-token", IssueToken).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/", Submit).RequireRateLimiting(WebFormProtection.ClientRateLimit).DisableAntiforgery()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return api;
    }

    public static async Task<Results<Ok<FormTokenResponse>, ProblemHttpResult>> IssueToken(
        Guid tenantId, TenantContext tenant, ServiceDbContext db, FormTokens tokens, IOptions<WebFormOptions> options, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        ActAs(tenant, tenantId);
        if (!await db.SupportAddresses.AnyAsync(cancellationToken))
        {
            return NoDesk(tenantId);
        }
        return TypedResults.Ok(new FormTokenResponse(tokens.Issue(tenantId), options.Value.MinimumFillSeconds,
            clock.GetUtcNow().AddMinutes(options.Value.TokenLifetimeMinutes)));
    }

    public static async Task<Results<Accepted<WebFormReceipt>, ValidationProblem, ProblemHttpResult>> Submit(
        Guid tenantId, WebFormRequest request, TenantContext tenant, ServiceDbContext db, FormTokens tokens, TicketIntake intake,
        WebFormTenantLimiter tenantLimiter, HttpContext http, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ActAs(tenant, tenantId);
        if (!await db.SupportAddresses.AnyAsync(cancellationToken))
        {
            return NoDesk(tenantId);
        }
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (WebFormProtection.TokenProblem(tokens.Check(tenantId, request.FormToken)) is { } refused)
        {
            return refused;
        }
        // Counts only what would become a ticket: junk refused above must not lock the tenant's customers out.
        using var lease = tenantLimiter.Acquire(tenantId);
        if (!lease.IsAcquired)
        {
            return WebFormTenantLimiter.TooMany(http, lease, "This help centre has received too many requests; try again later.");
        }
        var receipt = TypedResults.Accepted((string?)null, new WebFormReceipt("received"));
        if (!string.IsNullOrEmpty(request.Website))
        {
            loggers.CreateLogger(typeof(WebFormApi)).LogInformation("Dropped a help-centre request for tenant {TenantId}: honeypot filled", tenantId);
            return receipt;
        }
        await intake.CreateTicketAsync(new IntakeTicket(TicketChannels.Web, request.Email!.Trim(), request.Name!.Trim(), request.Subject!.Trim(),
            request.Description!.Trim(), ExternalMessageId: null, Language: request.Language, Category: request.Category, ConfirmByEmail: true), cancellationToken);
        return receipt;
    }

    private static ProblemHttpResult NoDesk(Guid tenantId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No help centre takes requests for '{tenantId}'.");

    private static void ActAs(TenantContext tenant, Guid tenantId)
    {
        tenant.TenantId = tenantId;
        tenant.ActorId = null;
        tenant.SeesWholeTenant = true;
    }
}
