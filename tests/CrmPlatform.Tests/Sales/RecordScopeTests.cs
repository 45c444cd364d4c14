using System.Net;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Identity;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Sales;

/// <summary>
/// Sales reps and managers see what they and their teams own; other roles see the tenant. Teams come from Identity's
/// events, so this runs the whole path: admin API → event → each service's team directory → query filter.
/// </summary>
public sealed class RecordScopeTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;

    private Task<string> TokenAsync(Guid user, string role) =>
        Platform.Identity.SignedTokenAsync(user.ToString(), TenantContext.DefaultTenantId, role);

    [Fact]
    public async Task Owners_and_their_team_see_a_record_others_in_sales_get_404()
    {
        var admin = Platform.ClientFor(Platform.Identity.Factory);
        var owner = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        var teammate = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        var manager = await IdentityApi.NewUserAsync(admin, Roles.SalesManager);
        var outsider = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        var team = await admin.PostJsonAsync("/api/v1/teams", new { name = "Alpha", memberIds = new[] { owner.Id, teammate.Id, manager.Id } });
        Assert.Equal(HttpStatusCode.Created, team.Status);

        var ownerContacts = Platform.ClientFor(Platform.Contacts, await TokenAsync(owner.Id, Roles.SalesRep));
        var person = (await ownerContacts.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body;
        Assert.Equal(owner.Id.ToString(), person.Str("ownerId"));
        await Eventually.TrueAsync(async () => await PlatformServices.DirectoryEntryAsync(Platform.Sales, person.Id()) is not null, "Sales knows the person");
        var ownerSales = Platform.ClientFor(Platform.Sales, await TokenAsync(owner.Id, Roles.SalesRep));
        var opportunity = (await ownerSales.PostJsonAsync("/api/v1/opportunities", new { name = "Scoped", amount = 5, currency = "EUR", customerId = person.Id() })).Body;
        var url = $"/api/v1/opportunities/{opportunity.Id()}";

        // Team membership reaches Sales as an event; until then the teammate sees nothing.
        var teammateSales = Platform.ClientFor(Platform.Sales, await TokenAsync(teammate.Id, Roles.SalesRep));
        await Eventually.TrueAsync(async () => (await teammateSales.GetJsonAsync(url)).Status == HttpStatusCode.OK, "the teammate sees the team's opportunity");
        Assert.Equal(HttpStatusCode.OK, (await Platform.ClientFor(Platform.Sales, await TokenAsync(manager.Id, Roles.SalesManager)).GetJsonAsync(url)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Platform.ClientFor(Platform.Contacts, await TokenAsync(teammate.Id, Roles.SalesRep)).GetJsonAsync($"/api/v1/people/{person.Id()}")).Status);

        var outsiderSales = Platform.ClientFor(Platform.Sales, await TokenAsync(outsider.Id, Roles.SalesRep));
        (await outsiderSales.GetJsonAsync(url)).AssertProblem(HttpStatusCode.NotFound);
        (await outsiderSales.PutJsonAsync(url, new { name = "Taken", amount = 5, currency = "EUR", customerId = person.Id() }, Api.AnyVersion))
            .AssertProblem(HttpStatusCode.NotFound);
        Assert.DoesNotContain((await outsiderSales.GetJsonAsync("/api/v1/opportunities?limit=200")).Body.GetProperty("items").EnumerateArray(),
            o => o.Id() == opportunity.Id());
        (await Platform.ClientFor(Platform.Contacts, await TokenAsync(outsider.Id, Roles.SalesRep)).GetJsonAsync($"/api/v1/people/{person.Id()}"))
            .AssertProblem(HttpStatusCode.NotFound);

        // Roles outside sales see the whole tenant.
        Assert.Equal(HttpStatusCode.OK, (await Platform.ClientFor(Platform.Sales, await TokenAsync(outsider.Id, Roles.ReadOnly)).GetJsonAsync(url)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Platform.ClientFor(Platform.Sales).GetJsonAsync(url)).Status);
    }

    [Fact]
    public async Task Leaving_the_team_takes_the_view_away()
    {
        var admin = Platform.ClientFor(Platform.Identity.Factory);
        var owner = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        var leaver = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        var team = (await admin.PostJsonAsync("/api/v1/teams", new { name = "Beta", memberIds = new[] { owner.Id, leaver.Id } })).Body;

        var ownerContacts = Platform.ClientFor(Platform.Contacts, await TokenAsync(owner.Id, Roles.SalesRep));
        var person = (await ownerContacts.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body;
        var leaverContacts = Platform.ClientFor(Platform.Contacts, await TokenAsync(leaver.Id, Roles.SalesRep));
        await Eventually.TrueAsync(async () => (await leaverContacts.GetJsonAsync($"/api/v1/people/{person.Id()}")).Status == HttpStatusCode.OK, "the team sees it");

        var updated = await admin.PutJsonAsync($"/api/v1/teams/{team.Id()}", new { name = "Beta", memberIds = new[] { owner.Id } }, team.ETag());
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        await Eventually.TrueAsync(async () => (await leaverContacts.GetJsonAsync($"/api/v1/people/{person.Id()}")).Status == HttpStatusCode.NotFound, "the leaver no longer sees it");
    }
}
