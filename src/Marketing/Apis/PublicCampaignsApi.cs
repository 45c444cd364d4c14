using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Marketing.Campaigns;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Outbox;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Marketing.Apis;

/// <summary>
/// The links in campaign emails, anonymous (the signed token is the credential, see <see cref="CampaignTokens"/>):
/// <c>POST …/u/{token}</c> is the RFC 8058 one-click unsubscribe (works from the <c>List-Unsubscribe</c> header alone,
/// idempotent), <c>GET …/u/{token}</c> a page with a button that posts it; <c>GET …/o/{token}</c> the open pixel;
/// <c>GET …/c/{token}?url=</c> the click redirect, only to the URL the token was signed for (anything else is a 404,
/// never a redirect). The token decides the tenant. Every open and click is recorded and published
/// (<see cref="CampaignEmailOpened"/>, <see cref="CampaignLinkClicked"/>); the recipient's first counts as unique.
/// </summary>
public static class PublicCampaignsApi
{
    private static readonly byte[] Pixel = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    public static RouteGroupBuilder MapPublicCampaignsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(CampaignLinks.Prefix).WithTags("Campaign links (public)").AllowAnonymous();
        api.MapGet("/u/{token}", ShowUnsubscribePage).Produces<string>(StatusCodes.Status200OK, "text/html").Produces<string>(StatusCodes.Status404NotFound, "text/html");
        api.MapPost("/u/{token}", Unsubscribe).DisableAntiforgery().Produces<string>(StatusCodes.Status200OK, "text/html")
            .Produces<string>(StatusCodes.Status404NotFound, "text/html");
        api.MapGet("/o/{token}", OpenPixel).Produces(StatusCodes.Status200OK, contentType: "image/gif");
        api.MapGet("/c/{token}", FollowLink).Produces(StatusCodes.Status302Found).ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private sealed record Found(CampaignRecipient Recipient, Campaign Campaign);

    private static async Task<Found?> FindAsync(
        MarketingDbContext db, TenantContext tenant, CampaignTokens tokens, string purpose, string token, string? url, CancellationToken cancellationToken)
    {
        if (tokens.Read(purpose, token, url) is not { } ids)
        {
            return null;
        }
        var recipient = await db.CampaignRecipients.IgnoreQueryFilters().SingleOrDefaultAsync(r => r.Id == ids.RecipientId && r.CampaignId == ids.CampaignId, cancellationToken);
        if (recipient is null)
        {
            return null;
        }
        tenant.TenantId = recipient.TenantId;
        var campaign = await db.Campaigns.AsNoTracking().SingleAsync(c => c.Id == recipient.CampaignId, cancellationToken);
        return new Found(recipient, campaign);
    }

    private static ContentHttpResult Gone(HttpContext http) =>
        HtmlPage.Render(http, StatusCodes.Status404NotFound, "Link not valid", "<h1>This link is not valid</h1><p>It may have been mistyped or cut short.</p>");

    public static async Task<ContentHttpResult> ShowUnsubscribePage(
        string token, MarketingDbContext db, TenantContext tenant, CampaignTokens tokens, HttpContext http, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, tenant, tokens, CampaignTokens.Unsubscribe, token, null, cancellationToken) is not { } found)
        {
            return Gone(http);
        }
        // Only a POST unsubscribes: link scanners and prefetchers GET every link in an email.
        return HtmlPage.Render(http, StatusCodes.Status200OK, "Unsubscribe", $"""
            <h1>Unsubscribe</h1>
            <p>Stop emails like “{HtmlPage.Encode(found.Campaign.Name)}” to {HtmlPage.Encode(found.Recipient.Email ?? "this address")}?</p>
            <form method="post" action="{HtmlPage.Encode(CampaignLinks.Unsubscribe + "/" + token)}"><button type="submit">Unsubscribe</button></form>
            """);
    }

    public static async Task<ContentHttpResult> Unsubscribe(
        string token, MarketingDbContext db, TenantContext tenant, CampaignTokens tokens, HttpContext http, TimeProvider clock, OutboxSignal outbox,
        CancellationToken cancellationToken)
    {
        if (await FindAsync(db, tenant, tokens, CampaignTokens.Unsubscribe, token, null, cancellationToken) is not { } found)
        {
            return Gone(http);
        }
        var (recipient, campaign) = found;
        // Once per recipient: a second click, or the provider's retry, finds it done and answers the same.
        if (recipient.UnsubscribedAt is null && recipient.Email is { } email)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            recipient.UnsubscribedAt = now;
            await SuppressionsApi.SuppressAsync(db, email, SuppressionReasons.Unsubscribe, campaign.Id, $"Unsubscribe link of campaign '{campaign.Name}'", now, cancellationToken);
            db.AddEvent(new Unsubscribed(Guid.CreateVersion7(), now, recipient.TenantId, recipient.Id, 1, campaign.Id, campaign.Name, recipient.PersonId,
                email, campaign.Purpose, ConsentGate.EmailChannel, now, http.Connection.RemoteIpAddress?.ToString(), Clip(http.Request.Headers.UserAgent.ToString())));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException ex) when (ex.IsUniqueViolation())
            {
                // Two unsubscribes of the same address at once: the other suppressed it; this one's record waits for a retry.
                return HtmlPage.Render(http, StatusCodes.Status409Conflict, "Try again", "<h1>Please try again</h1>");
            }
            outbox.Notify();
        }
        return HtmlPage.Render(http, StatusCodes.Status200OK, "Unsubscribed",
            $"<h1>You are unsubscribed</h1><p>{HtmlPage.Encode(recipient.Email ?? "This address")} will get no more emails like “{HtmlPage.Encode(campaign.Name)}”.</p>");
    }

    public static async Task<FileContentHttpResult> OpenPixel(
        string token, MarketingDbContext db, TenantContext tenant, CampaignTokens tokens, HttpContext http, TimeProvider clock, OutboxSignal outbox,
        CancellationToken cancellationToken)
    {
        http.Response.Headers.CacheControl = "no-store, private";
        // The image is the same whatever the token: a bad one learns nothing, and the mail client shows no broken image.
        if (await FindAsync(db, tenant, tokens, CampaignTokens.Open, token, null, cancellationToken) is { } found)
        {
            await RecordAsync(db, found, EngagementKinds.Open, null, clock.GetUtcNow().UtcDateTime, cancellationToken);
            outbox.Notify();
        }
        return TypedResults.File(Pixel, "image/gif");
    }

    public static async Task<Results<RedirectHttpResult, ProblemHttpResult>> FollowLink(
        string token, string? url, MarketingDbContext db, TenantContext tenant, CampaignTokens tokens, TimeProvider clock, OutboxSignal outbox,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(url) || !Uri.TryCreate(url, UriKind.Absolute, out var target) || target.Scheme is not ("http" or "https")
            || await FindAsync(db, tenant, tokens, CampaignTokens.Click, token, url, cancellationToken) is not { } found)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                detail: "This link is not one of ours, or it was changed on the way.");
        }
        await RecordAsync(db, found, EngagementKinds.Click, url, clock.GetUtcNow().UtcDateTime, cancellationToken);
        outbox.Notify();
        return TypedResults.Redirect(url);
    }

    private static async Task RecordAsync(MarketingDbContext db, Found found, string kind, string? url, DateTime now, CancellationToken cancellationToken)
    {
        var (recipient, campaign) = found;
        db.CampaignEngagements.Add(new CampaignEngagement
        {
            TenantId = recipient.TenantId, CampaignId = campaign.Id, RecipientId = recipient.Id, Kind = kind, Url = url?.Length > 2000 ? url[..2000] : url, OccurredAt = now,
        });
        var open = kind == EngagementKinds.Open;
        if (open)
        {
            recipient.FirstOpenedAt ??= now;
            db.AddEvent(new CampaignEmailOpened(Guid.CreateVersion7(), now, recipient.TenantId, campaign.Id, 1, campaign.Id, recipient.Email, recipient.PersonId, now));
        }
        else
        {
            // A click shows the email was opened, images blocked or not; the statistics count that implied open in opens too.
            recipient.FirstOpenedAt ??= now;
            recipient.FirstClickedAt ??= now;
            db.AddEvent(new CampaignLinkClicked(Guid.CreateVersion7(), now, recipient.TenantId, campaign.Id, 1, campaign.Id, recipient.Email, recipient.PersonId, url, now));
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    private static string? Clip(string? value) => string.IsNullOrEmpty(value) ? null : value.Length > 500 ? value[..500] : value;
}
