using System.ComponentModel;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Marketing.Campaigns;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Persistence.Mail;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace CrmPlatform.Marketing.Apis;

/// <summary>
/// A campaign as written: the template, the segment (its members when sending starts), the consent purpose each
/// recipient must have granted on email, the sender, and optionally its rate (messages per second; the platform's
/// default otherwise).
/// </summary>
/// <summary>
/// An A/B subject test: 2 to 5 Liquid subjects (they replace the template's in every language), the percent of the
/// recipients in the test (1–50, split evenly over the subjects), how long to wait after the test's last send, and what
/// decides the winner (<c>opens</c>, the default, or <c>clicks</c>: the higher unique rate).
/// </summary>
public sealed record AbTestRequest(IReadOnlyList<string>? Subjects, int? TestPercent, int? WaitSeconds, string? Metric);

public sealed record AbTestResponse(IReadOnlyList<string> Subjects, int TestPercent, int WaitSeconds, string Metric, DateTime? DecidesAt, int? Winner);

public sealed record CampaignRequest(string? Name, Guid? TemplateId, Guid? SegmentId, string? Purpose, string? From, int? MessagesPerSecond, AbTestRequest? AbTest = null)
{
    public FieldErrors Validate(int maxRate) => new FieldErrors()
        .When(AbTest is not null && AbTest.Subjects is not { Count: >= 2 and <= 5 }, "abTest.subjects", "An A/B test has 2 to 5 subjects.")
        .When(AbTest?.Subjects?.Any(subject => string.IsNullOrWhiteSpace(subject) || subject.Length > EmailTemplate.SubjectMaxLength) == true,
            "abTest.subjects", $"Each subject has 1 to {EmailTemplate.SubjectMaxLength} characters.")
        .When(AbTest is not null && AbTest.TestPercent is < 1 or > 50, "abTest.testPercent", "testPercent is 1 to 50.")
        .When(AbTest is not null && AbTest.WaitSeconds is < 1 or > 7 * 24 * 3600, "abTest.waitSeconds", "waitSeconds is 1 to 604800 (a week).")
        .When(AbTest?.Metric is { } metric && !TestMetrics.All.Contains(metric), "abTest.metric", $"metric is one of: {string.Join(", ", TestMetrics.All)}.")
        .Required("name", Name, Campaign.NameMaxLength)
        .When(TemplateId is null, "templateId", "templateId is required.")
        .When(SegmentId is null, "segmentId", "segmentId is required.")
        .When(string.IsNullOrWhiteSpace(Purpose), "purpose", "purpose is required.")
        .When(!string.IsNullOrWhiteSpace(Purpose) && !ConsentValues.Purposes.Contains(Purpose), "purpose",
            $"purpose must be one of: {string.Join(", ", ConsentValues.Purposes)}.")
        .Required("from", From, Suppression.EmailMaxLength)
        .When(!string.IsNullOrWhiteSpace(From) && !MailboxAddress.TryParse(From, out _), "from", "from is an address, optionally with a name: \"Acme <news@acme.example>\".")
        .When(MessagesPerSecond is < 1 || MessagesPerSecond > maxRate, "messagesPerSecond", $"messagesPerSecond is 1 to {maxRate}.");
}

public sealed record CampaignResponse(
    Guid Id, string Name, Guid TemplateId, Guid SegmentId, string Purpose, string From, string Status, int? MessagesPerSecond,
    DateTime? ScheduledAt, string? TimeZone, DateTime? StartedAt, DateTime? FinishedAt, AbTestResponse? AbTest,
    DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version, string? TimeZoneMode = null, DateTime? LocalTime = null,
    Guid? JourneyId = null)
{
    public static CampaignResponse Of(Campaign c) => new(
        c.Id, c.Name, c.TemplateId, c.SegmentId, c.Purpose, c.From, c.Status, c.MessagesPerSecond, c.ScheduledAt, c.TimeZone, c.StartedAt,
        c.FinishedAt,
        c.HasTest ? new AbTestResponse(c.TestSubjects, c.TestPercent ?? 20, c.TestWaitSeconds ?? 3600, c.TestMetric ?? TestMetrics.Opens, c.TestEndsAt, c.WinnerVariant) : null,
        c.CreatedAt, c.CreatedBy, c.UpdatedAt, c.UpdatedBy, c.Version, c.TimeZoneMode, c.LocalTime, c.JourneyId);
}

/// <summary>One subject of an A/B test: to how many it was sent, and their unique opens and clicks.</summary>
public sealed record CampaignVariantStatistics(int Variant, string Subject, int Sent, int UniqueOpens, int UniqueClicks, bool Winner);

/// <summary>
/// When to send: nothing (now), <c>at</c> (an instant with its offset, <c>2026-12-24T09:00:00+01:00</c>), or
/// <c>localTime</c> (<c>2026-12-24T09:00:00</c>) read as <c>timeZoneMode</c> says: <c>fixed</c> in <c>timeZone</c>
/// (IANA), <c>tenant</c> in the tenant's zone, <c>recipient</c> in each recipient's own (their country's; the tenant's
/// when unknown). Without a mode: <c>fixed</c> when <c>timeZone</c> is given, else <c>tenant</c>.
/// </summary>
public sealed record CampaignSendRequest(DateTimeOffset? At, DateTime? LocalTime, string? TimeZone, string? TimeZoneMode = null);

/// <summary>A hard bounce of one recipient's address, as the mail system reported it.</summary>
public sealed record CampaignBounceRequest(string? Email, string? Diagnostic);

/// <summary>What became of a campaign.</summary>
/// <param name="Delivered">Accepted by the SMTP server, less the hard bounces reported since.</param>
/// <param name="Failed">Not delivered for good: refused by the SMTP server (the bounces among them) or not renderable.</param>
/// <param name="Bounced">Refused by the SMTP server when sent (5xx, or 4xx on every try) or reported as bounced since.</param>
/// <param name="UniqueOpens">Recipients who opened the email: loaded its images, or clicked a link in it (a click shows it was opened).</param>
/// <param name="UniqueClicks">Recipients who clicked a link in it.</param>
/// <param name="Opens">
/// Every open: each time the images were loaded, plus one for each recipient whose first sign of opening was a click
/// (images blocked), the open that click implies. So opens ≥ uniqueOpens always.
/// </param>
/// <param name="Clicks">Every click on a link.</param>
/// <param name="Unsubscribes">Recipients who used the unsubscribe link (or their mail client's one-click button).</param>
/// <param name="Complaints">Recipients who reported the email as spam (an abuse report from their mailbox provider).</param>
public sealed record CampaignStatistics(
    Guid CampaignId, string Status, int Recipients, int Pending, int Sent, int Delivered, int Failed, int Bounced,
    int Skipped, IReadOnlyDictionary<string, int> SkippedByReason, int UniqueOpens, int UniqueClicks,
    [property: Description("Every open: each load of the images, plus the open a click implies for a recipient whose first sign of "
        + "opening was a click (images blocked). So opens ≥ uniqueOpens always.")] int Opens,
    int Clicks, int Unsubscribes,
    [property: Description("Recipients who reported the email as spam (an abuse report from their mailbox provider).")] int Complaints,
    IReadOnlyList<CampaignVariantStatistics> Variants);

public static class CampaignsApi
{
    private const string Resource = "campaign";

    public static RouteGroupBuilder MapCampaignsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/campaigns").WithTags("Campaigns");
        api.MapGet("/", ListCampaigns).RequirePermission(Permissions.Campaigns, Operation.Read);
        api.MapGet("/{id:guid}", GetCampaign).RequirePermission(Permissions.Campaigns, Operation.Read);
        api.MapPost("/", CreateCampaign).RequirePermission(Permissions.Campaigns, Operation.Create);
        api.MapPut("/{id:guid}", UpdateCampaign).RequirePermission(Permissions.Campaigns, Operation.Update);
        api.MapDelete("/{id:guid}", DeleteCampaign).RequirePermission(Permissions.Campaigns, Operation.Delete);
        api.MapPost("/{id:guid}/send", SendCampaign).RequirePermission(Permissions.Campaigns, Operation.Update);
        api.MapPost("/{id:guid}/cancel", CancelCampaign).RequirePermission(Permissions.Campaigns, Operation.Update);
        api.MapGet("/{id:guid}/statistics", GetCampaignStatistics).RequirePermission(Permissions.Campaigns, Operation.Read);
        api.MapPost("/{id:guid}/bounces", RecordCampaignBounce).RequirePermission(Permissions.Campaigns, Operation.Update);
        return api;
    }

    public static async Task<Results<Ok<CursorPage<CampaignResponse>>, ValidationProblem>> ListCampaigns(
        MarketingDbContext db, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await db.Campaigns.AsNoTracking().ToCursorPageAsync(page, CampaignResponse.Of, cancellationToken));
    }

    public static async Task<Results<Ok<CampaignResponse>, ProblemHttpResult>> GetCampaign(
        Guid id, MarketingDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var campaign = await db.Campaigns.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (campaign is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, campaign.Version);
        return TypedResults.Ok(CampaignResponse.Of(campaign));
    }

    public static async Task<Results<Created<CampaignResponse>, ValidationProblem, ProblemHttpResult>> CreateCampaign(
        CampaignRequest request, MarketingDbContext db, HttpResponse response, IOptions<CampaignSettings> settings, CancellationToken cancellationToken)
    {
        var errors = request.Validate(settings.Value.MaxMessagesPerSecond);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await UnknownReferencesAsync(db, request, cancellationToken) is { } unknown)
        {
            return unknown;
        }
        if (SubjectSyntax(request) is { } syntax)
        {
            return syntax;
        }
        var campaign = new Campaign();
        Apply(request, campaign);
        db.Campaigns.Add(campaign);
        await db.SaveChangesAsync(cancellationToken);
        ETags.Set(response, campaign.Version);
        return TypedResults.Created($"/api/v1/campaigns/{campaign.Id}", CampaignResponse.Of(campaign));
    }

    public static async Task<Results<Ok<CampaignResponse>, ValidationProblem, ProblemHttpResult>> UpdateCampaign(
        Guid id, CampaignRequest request, MarketingDbContext db, HttpContext http, IOptions<CampaignSettings> settings, CancellationToken cancellationToken)
    {
        var errors = request.Validate(settings.Value.MaxMessagesPerSecond);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var campaign = await db.Campaigns.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (campaign is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, campaign.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (campaign.Status != CampaignStatuses.Draft)
        {
            return ApiProblems.Conflict($"The campaign '{id}' is {campaign.Status}; only a draft can be changed.");
        }
        if (await UnknownReferencesAsync(db, request, cancellationToken) is { } unknown)
        {
            return unknown;
        }
        if (SubjectSyntax(request) is { } syntax)
        {
            return syntax;
        }
        Apply(request, campaign);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        ETags.Set(http.Response, campaign.Version);
        return TypedResults.Ok(CampaignResponse.Of(campaign));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteCampaign(
        Guid id, MarketingDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        var campaign = await db.Campaigns.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (campaign is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, campaign.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (campaign.Status != CampaignStatuses.Draft)
        {
            return ApiProblems.Conflict($"The campaign '{id}' is {campaign.Status}: its recipients and statistics stay; only a draft can be deleted.");
        }
        db.Campaigns.Remove(campaign);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Schedules a draft (now when no time is given); the sender starts it when its time comes.</summary>
    public static async Task<Results<Ok<CampaignResponse>, ValidationProblem, ProblemHttpResult>> SendCampaign(
        Guid id, CampaignSendRequest? request, MarketingDbContext db, HttpContext http, IOptions<CampaignSettings> settings, TimeProvider clock,
        CampaignSignal signal, CancellationToken cancellationToken)
    {
        request ??= new CampaignSendRequest(null, null, null);
        var mode = request.LocalTime is null ? null : request.TimeZoneMode ?? (request.TimeZone is null ? TimeZoneModes.Tenant : TimeZoneModes.Fixed);
        var errors = new FieldErrors()
            .When(request.At is not null && request.LocalTime is not null, "at", "Give at or localTime, not both.")
            .When(request.TimeZone is not null && request.LocalTime is null, "timeZone", "timeZone goes with localTime.")
            .When(request.TimeZoneMode is not null && request.LocalTime is null, "timeZoneMode", "timeZoneMode goes with localTime.")
            .When(request.TimeZoneMode is not null && !TimeZoneModes.All.Contains(request.TimeZoneMode), "timeZoneMode",
                $"timeZoneMode is one of: {string.Join(", ", TimeZoneModes.All)}.")
            .When(mode == TimeZoneModes.Fixed && request.TimeZone is null, "timeZone", "A fixed localTime needs its timeZone.")
            .When(mode is TimeZoneModes.Tenant or TimeZoneModes.Recipient && request.TimeZone is not null, "timeZone",
                $"timeZone goes with the fixed mode only; {mode} uses the tenant's or the recipients' zones.")
            .When(request.TimeZone is not null && LocalTimes.Find(request.TimeZone) is null, "timeZone",
                $"'{request.TimeZone}' is not an IANA time zone (such as Europe/Berlin, America/New_York or UTC).");
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var campaign = await db.Campaigns.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (campaign is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, campaign.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (campaign.Status != CampaignStatuses.Draft)
        {
            return ApiProblems.Conflict($"The campaign '{id}' is {campaign.Status}; only a draft can be sent.");
        }
        if (!EmailOutbox.IsConfigured(http.RequestServices))
        {
            return ApiProblems.Conflict("No mail server is configured (ConnectionStrings__mail): nothing could be sent.");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var zone = mode switch
        {
            TimeZoneModes.Fixed => LocalTimes.Find(request.TimeZone)!,
            TimeZoneModes.Tenant => settings.Value.TimeZoneOf(campaign.TenantId),
            _ => null,
        };
        campaign.ScheduledAt = request switch
        {
            { At: { } at } => at.UtcDateTime,
            // Per recipient: sending starts when the earliest zone reaches the time; each recipient waits for theirs.
            { LocalTime: { } local } when zone is null => DateTime.SpecifyKind(local - LocalTimes.EarliestOffset, DateTimeKind.Utc),
            { LocalTime: { } local } => LocalTimes.ToUtc(local, zone!),
            _ => now,
        };
        campaign.TimeZone = zone?.Id;
        campaign.TimeZoneMode = mode;
        campaign.LocalTime = request.LocalTime is { } wall ? DateTime.SpecifyKind(wall, DateTimeKind.Unspecified) : null;
        campaign.Status = CampaignStatuses.Scheduled;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        if (campaign.ScheduledAt <= now)
        {
            signal.Notify();
        }
        ETags.Set(http.Response, campaign.Version);
        return TypedResults.Ok(CampaignResponse.Of(campaign));
    }

    /// <summary>Stops a scheduled or sending campaign; who was sent stays sent, the rest get nothing.</summary>
    public static async Task<Results<Ok<CampaignResponse>, ProblemHttpResult>> CancelCampaign(
        Guid id, MarketingDbContext db, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        var campaign = await db.Campaigns.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (campaign is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, campaign.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (campaign.Status is not (CampaignStatuses.Draft or CampaignStatuses.Scheduled or CampaignStatuses.Sending))
        {
            return ApiProblems.Conflict($"The campaign '{id}' is {campaign.Status}; there is nothing left to cancel.");
        }
        campaign.Status = CampaignStatuses.Cancelled;
        campaign.FinishedAt = clock.GetUtcNow().UtcDateTime;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        ETags.Set(http.Response, campaign.Version);
        return TypedResults.Ok(CampaignResponse.Of(campaign));
    }

    public static async Task<Results<Ok<CampaignStatistics>, ProblemHttpResult>> GetCampaignStatistics(
        Guid id, MarketingDbContext db, CancellationToken cancellationToken)
    {
        var campaign = await db.Campaigns.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (campaign is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        var recipients = db.CampaignRecipients.AsNoTracking().Where(r => r.CampaignId == id);
        var byStatus = await recipients.GroupBy(r => r.Status).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        var byReason = await recipients.Where(r => r.Status == RecipientStatuses.Skipped).GroupBy(r => r.SkipReason!)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        var people = await recipients.GroupBy(r => 1).Select(g => new
        {
            Bounced = g.Count(r => r.BouncedAt != null),
            BouncedAfterSent = g.Count(r => r.BouncedAt != null && r.Status == RecipientStatuses.Sent),
            Opened = g.Count(r => r.FirstOpenedAt != null),
            Clicked = g.Count(r => r.FirstClickedAt != null),
            Unsubscribed = g.Count(r => r.UnsubscribedAt != null),
            Complained = g.Count(r => r.ComplainedAt != null),
        }).SingleOrDefaultAsync(cancellationToken);
        var engagement = await db.CampaignEngagements.AsNoTracking().Where(e => e.CampaignId == id).GroupBy(e => e.Kind)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        // A click first sets the first open too (images blocked, yet the email was read), without an open row; that open
        // is counted here, so opens never fall below uniqueOpens. Later pixel loads are their own rows and add to it.
        var impliedOpens = people is { Opened: > 0 }
            ? await recipients.CountAsync(r => r.FirstOpenedAt != null && !db.CampaignEngagements.Any(
                e => e.RecipientId == r.Id && e.Kind == EngagementKinds.Open && e.OccurredAt <= r.FirstOpenedAt), cancellationToken)
            : 0;
        var sent = byStatus.GetValueOrDefault(RecipientStatuses.Sent);
        var variants = campaign.HasTest
            ? (await recipients.Where(r => r.Variant != null && r.Status == RecipientStatuses.Sent).GroupBy(r => r.Variant!.Value)
                .Select(g => new { g.Key, Sent = g.Count(), Opened = g.Count(r => r.FirstOpenedAt != null), Clicked = g.Count(r => r.FirstClickedAt != null) })
                .ToListAsync(cancellationToken)).ToDictionary(v => v.Key)
            : [];
        var variantStatistics = campaign.TestSubjects.Select((subject, i) => new CampaignVariantStatistics(
            i, subject, variants.GetValueOrDefault(i)?.Sent ?? 0, variants.GetValueOrDefault(i)?.Opened ?? 0, variants.GetValueOrDefault(i)?.Clicked ?? 0,
            campaign.WinnerVariant == i)).ToList();
        return TypedResults.Ok(new CampaignStatistics(
            id, campaign.Status, byStatus.Values.Sum(),
            byStatus.GetValueOrDefault(RecipientStatuses.Pending) + byStatus.GetValueOrDefault(RecipientStatuses.Held), sent, sent - (people?.BouncedAfterSent ?? 0),
            byStatus.GetValueOrDefault(RecipientStatuses.Failed), people?.Bounced ?? 0, byStatus.GetValueOrDefault(RecipientStatuses.Skipped), byReason,
            people?.Opened ?? 0, people?.Clicked ?? 0, engagement.GetValueOrDefault(EngagementKinds.Open) + impliedOpens,
            engagement.GetValueOrDefault(EngagementKinds.Click), people?.Unsubscribed ?? 0, people?.Complained ?? 0, variantStatistics));
    }

    /// <summary>A hard bounce: the recipient counts as bounced and the address is suppressed for every later campaign.</summary>
    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RecordCampaignBounce(
        Guid id, CampaignBounceRequest request, MarketingDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Required("email", request.Email, Suppression.EmailMaxLength).Email("email", request.Email)
            .MaxLength("diagnostic", request.Diagnostic, 500);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (!await db.Campaigns.AnyAsync(c => c.Id == id, cancellationToken))
        {
            return ApiProblems.NotFound(Resource, id);
        }
        var email = Suppression.Normalize(request.Email!);
        var recipient = await db.CampaignRecipients.SingleOrDefaultAsync(
            r => r.CampaignId == id && r.Email != null && r.Email.ToLower() == email && r.Status == RecipientStatuses.Sent, cancellationToken);
        if (recipient is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                detail: $"The campaign '{id}' sent nothing to '{request.Email}'.");
        }
        await CampaignBounces.RecordAsync(db, recipient, request.Diagnostic, clock.GetUtcNow().UtcDateTime, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<ProblemHttpResult?> UnknownReferencesAsync(MarketingDbContext db, CampaignRequest request, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!await db.EmailTemplates.AnyAsync(t => t.Id == request.TemplateId, cancellationToken))
        {
            errors["templateId"] = [$"No email template '{request.TemplateId}'."];
        }
        if (!await db.Segments.AnyAsync(s => s.Id == request.SegmentId, cancellationToken))
        {
            errors["segmentId"] = [$"No segment '{request.SegmentId}'."];
        }
        return errors.Count == 0 ? null : ApiProblems.Unprocessable("The campaign names a template or segment that does not exist.", errors);
    }

    /// <summary>A test subject whose Liquid does not parse: 422 naming it.</summary>
    private static ProblemHttpResult? SubjectSyntax(CampaignRequest request)
    {
        var errors = (request.AbTest?.Subjects ?? []).Select((subject, i) => (Field: $"abTest.subjects[{i}]", Error: TemplateRenderer.Check(subject)))
            .Where(e => e.Error is not null).ToDictionary(e => e.Field, e => new[] { $"The Liquid does not parse: {e.Error}." });
        return errors.Count == 0 ? null : ApiProblems.Unprocessable($"An A/B subject's Liquid does not parse: {string.Join(", ", errors.Keys)}.", errors);
    }

    private static void Apply(CampaignRequest request, Campaign campaign)
    {
        campaign.TestSubjects = request.AbTest?.Subjects?.ToList() ?? [];
        campaign.TestPercent = request.AbTest is null ? null : request.AbTest.TestPercent ?? 20;
        campaign.TestWaitSeconds = request.AbTest is null ? null : request.AbTest.WaitSeconds ?? 3600;
        campaign.TestMetric = request.AbTest is null ? null : request.AbTest.Metric ?? TestMetrics.Opens;
        campaign.Name = request.Name!.Trim();
        campaign.TemplateId = request.TemplateId!.Value;
        campaign.SegmentId = request.SegmentId!.Value;
        campaign.Purpose = request.Purpose!;
        campaign.From = request.From!.Trim();
        campaign.MessagesPerSecond = request.MessagesPerSecond;
    }
}
