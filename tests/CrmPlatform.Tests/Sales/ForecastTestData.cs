using System.Text.Json;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Identity;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Tests.Sales;

/// <summary>A sales team as the forecast tests need it: two reps and their manager in one team Sales knows, and an outsider.</summary>
public sealed record SalesTeam(Guid TeamId, string Rep, string Teammate, string Manager, HttpClient RepSales, HttpClient TeammateSales,
    HttpClient ManagerSales, HttpClient OutsiderSales)
{
    public static async Task<SalesTeam> CreateAsync(PlatformServices platform)
    {
        var admin = platform.ClientFor(platform.Identity.Factory);
        var rep = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        var teammate = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        var manager = await IdentityApi.NewUserAsync(admin, Roles.SalesManager);
        var outsider = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        var team = await admin.PostJsonAsync("/api/v1/teams", new { name = $"Forecast {Guid.NewGuid():N}", memberIds = new[] { rep.Id, teammate.Id, manager.Id } }).CreatedAsync();
        await Eventually.TrueAsync(() => PlatformServices.QueryAsync(platform.Sales,
            db => db.Set<CrmPlatform.Persistence.TeamDirectory.DirectoryTeam>().IgnoreQueryFilters().AnyAsync(t => t.Id == team.Id() && t.MemberIds.Count == 3)),
            "Sales knows the team");
        async Task<HttpClient> SalesAs(TestUser user, string role) =>
            platform.ClientFor(platform.Sales, await platform.Identity.SignedTokenAsync(user.Id.ToString(), TenantContext.DefaultTenantId, role));
        return new SalesTeam(team.Id(), rep.Id.ToString(), teammate.Id.ToString(), manager.Id.ToString(),
            await SalesAs(rep, Roles.SalesRep), await SalesAs(teammate, Roles.SalesRep), await SalesAs(manager, Roles.SalesManager), await SalesAs(outsider, Roles.SalesRep));
    }
}

public static class ForecastJson
{
    /// <summary>The figures of one currency in a forecast row (or total), or null.</summary>
    public static JsonElement? Figures(this JsonElement row, string currency) =>
        row.GetProperty("totals").EnumerateArray().Where(t => t.Str("currency") == currency).Select(t => (JsonElement?)t).SingleOrDefault();

    public static decimal Dec(this JsonElement json, string property) => json.GetProperty(property).GetDecimal();

    public static IEnumerable<JsonElement> Rows(this JsonElement forecast) => forecast.GetProperty("rows").EnumerateArray();

    public static JsonElement RowOf(this JsonElement forecast, string ownerId, string periodStart) =>
        forecast.Rows().Single(r => r.GetProperty("ownerId").GetString() == ownerId && r.Str("periodStart") == periodStart);
}
