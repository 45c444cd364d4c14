using CrmPlatform.Marketing.Attribution;
using CrmPlatform.Marketing.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Marketing.Apis;

/// <summary>Revenue credited to one campaign (null: touchpoints without a campaign) in one currency.</summary>
/// <param name="JourneyId">Set when the campaign is a journey's email (its send-email step's campaign).</param>
public sealed record CampaignRevenue(Guid? CampaignId, string Currency, decimal Revenue, int Opportunities, Guid? JourneyId = null);

/// <summary>Revenue credited to one email of a journey (its send-email step's campaign) in one currency.</summary>
public sealed record JourneyRevenue(
    Guid JourneyId, string Journey, Guid CampaignId, string Email, Guid TemplateId, string Currency, decimal Revenue, int Opportunities);

/// <summary>Revenue credited to one channel in one currency.</summary>
public sealed record ChannelRevenue(string Channel, string Currency, decimal Revenue, int Opportunities);

/// <summary>A revenue report: the model, the window of win times it covers, and its rows (largest revenue first).</summary>
public sealed record AttributionReport<T>(string Model, DateTime? From, DateTime? To, IReadOnlyList<T> Items);

public static class AttributionApi
{
    public static RouteGroupBuilder MapAttributionApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/attribution").WithTags("Attribution");
        api.MapGet("/campaigns", GetCampaignRevenue).RequirePermission(Permissions.Attribution, Operation.Read);
        api.MapGet("/channels", GetChannelRevenue).RequirePermission(Permissions.Attribution, Operation.Read);
        api.MapGet("/journeys", GetJourneyRevenue).RequirePermission(Permissions.Attribution, Operation.Read);
        return api;
    }

    /// <summary>Won revenue per campaign under a model (<c>first-touch</c>, <c>last-touch</c>, <c>linear</c>, the default), wins from <c>from</c> to before <c>to</c>.</summary>
    public static async Task<Results<Ok<AttributionReport<CampaignRevenue>>, ValidationProblem>> GetCampaignRevenue(
        MarketingDbContext db, string? model, DateTime? from, DateTime? to, CancellationToken cancellationToken)
    {
        if (Credits(db, model, from, to, out var credits) is { } invalid)
        {
            return invalid;
        }
        var rows = await credits.GroupBy(c => new { c.CampaignId, c.Currency })
            .Select(g => new CampaignRevenue(g.Key.CampaignId, g.Key.Currency, g.Sum(c => c.Amount), g.Select(c => c.OpportunityId).Distinct().Count(), null))
            .ToListAsync(cancellationToken);
        var ids = rows.Where(r => r.CampaignId is not null).Select(r => r.CampaignId!.Value).Distinct().ToList();
        var journeys = await db.Campaigns.AsNoTracking().Where(c => ids.Contains(c.Id) && c.JourneyId != null)
            .ToDictionaryAsync(c => c.Id, c => c.JourneyId, cancellationToken);
        rows = rows.Select(r => r with { JourneyId = r.CampaignId is { } id ? journeys.GetValueOrDefault(id) : null }).ToList();
        return TypedResults.Ok(new AttributionReport<CampaignRevenue>(model ?? AttributionModels.Linear, from, to,
            rows.OrderByDescending(r => r.Revenue).ThenBy(r => r.Currency, StringComparer.Ordinal).ThenBy(r => r.CampaignId).ToList()));
    }

    /// <summary>Won revenue per channel under a model, as for campaigns.</summary>
    public static async Task<Results<Ok<AttributionReport<ChannelRevenue>>, ValidationProblem>> GetChannelRevenue(
        MarketingDbContext db, string? model, DateTime? from, DateTime? to, CancellationToken cancellationToken)
    {
        if (Credits(db, model, from, to, out var credits) is { } invalid)
        {
            return invalid;
        }
        var rows = await credits.GroupBy(c => new { c.Channel, c.Currency })
            .Select(g => new ChannelRevenue(g.Key.Channel, g.Key.Currency, g.Sum(c => c.Amount), g.Select(c => c.OpportunityId).Distinct().Count()))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new AttributionReport<ChannelRevenue>(model ?? AttributionModels.Linear, from, to,
            rows.OrderByDescending(r => r.Revenue).ThenBy(r => r.Currency, StringComparer.Ordinal).ThenBy(r => r.Channel, StringComparer.Ordinal).ToList()));
    }

    /// <summary>
    /// Won revenue per journey email under a model, as for campaigns: the credits of the touchpoints (clicks in the
    /// email, its sending) whose campaign is a journey's send-email step. The same credits appear in the campaign and
    /// channel reports, so the three add up alike.
    /// </summary>
    public static async Task<Results<Ok<AttributionReport<JourneyRevenue>>, ValidationProblem>> GetJourneyRevenue(
        MarketingDbContext db, string? model, DateTime? from, DateTime? to, CancellationToken cancellationToken)
    {
        if (Credits(db, model, from, to, out var credits) is { } invalid)
        {
            return invalid;
        }
        // A tenant has a journey email per send-email step: few enough to read whole.
        var emails = await db.Campaigns.AsNoTracking().Where(c => c.JourneyId != null)
            .Join(db.Journeys.AsNoTracking(), c => c.JourneyId, j => (Guid?)j.Id, (c, j) => new { c.Id, JourneyId = j.Id, Journey = j.Name, c.Name, c.TemplateId })
            .ToDictionaryAsync(e => e.Id, cancellationToken);
        var ids = emails.Keys.ToList();
        var rows = await credits.Where(c => c.CampaignId != null && ids.Contains(c.CampaignId.Value)).GroupBy(c => new { c.CampaignId, c.Currency })
            .Select(g => new { g.Key.CampaignId, g.Key.Currency, Revenue = g.Sum(c => c.Amount), Opportunities = g.Select(c => c.OpportunityId).Distinct().Count() })
            .ToListAsync(cancellationToken);
        var items = rows.Select(r => (Row: r, Email: emails[r.CampaignId!.Value]))
            .Select(x => new JourneyRevenue(x.Email.JourneyId, x.Email.Journey, x.Email.Id, x.Email.Name, x.Email.TemplateId, x.Row.Currency, x.Row.Revenue,
                x.Row.Opportunities))
            .OrderByDescending(r => r.Revenue).ThenBy(r => r.Currency, StringComparer.Ordinal).ThenBy(r => r.JourneyId).ThenBy(r => r.CampaignId).ToList();
        return TypedResults.Ok(new AttributionReport<JourneyRevenue>(model ?? AttributionModels.Linear, from, to, items));
    }

    private static ValidationProblem? Credits(MarketingDbContext db, string? model, DateTime? from, DateTime? to, out IQueryable<AttributionCredit> credits)
    {
        var chosen = model ?? AttributionModels.Linear;
        var errors = new FieldErrors()
            .When(!AttributionModels.All.Contains(chosen), "model", $"model is one of: {string.Join(", ", AttributionModels.All)}.")
            .When(from is not null && to is not null && from >= to, "to", "to is after from.");
        credits = db.AttributionCredits.AsNoTracking().Where(c => c.Model == chosen);
        if (from is { } start)
        {
            var utc = start.ToUniversalTime();
            credits = credits.Where(c => c.WonAt >= utc);
        }
        if (to is { } end)
        {
            var utc = end.ToUniversalTime();
            credits = credits.Where(c => c.WonAt < utc);
        }
        return errors.IsValid ? null : TypedResults.ValidationProblem(errors);
    }
}
