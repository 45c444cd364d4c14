using System.Net;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Identity;

/// <summary>Two tenants with overlapping data: each sees only its own, by id, in lists and on writes.</summary>
public sealed class TenantIsolationTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;

    [Fact]
    public async Task Another_tenants_person_and_opportunity_answer_404_everywhere()
    {
        var (_, otherToken) = await Platform.Identity.NewTenantAsync();
        var mine = Platform.ClientFor(Platform.Contacts);
        var theirs = Platform.ClientFor(Platform.Contacts, otherToken);
        var email = $"{Guid.NewGuid():N}@shared.test";

        var person = (await mine.PostJsonAsync("/api/v1/people", Api.NewPerson(email: email))).Body;
        // The same email in the other tenant is no duplicate: uniqueness is per tenant.
        var theirPerson = await theirs.PostJsonAsync("/api/v1/people", Api.NewPerson(email: email));
        Assert.Equal(HttpStatusCode.Created, theirPerson.Status);

        (await theirs.GetJsonAsync($"/api/v1/people/{person.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await theirs.PutJsonAsync($"/api/v1/people/{person.Id()}", Api.NewPerson(), Api.AnyVersion)).AssertProblem(HttpStatusCode.NotFound);
        (await theirs.DeleteJsonAsync($"/api/v1/people/{person.Id()}", Api.AnyVersion)).AssertProblem(HttpStatusCode.NotFound);
        var theirList = (await theirs.GetJsonAsync("/api/v1/people?limit=200")).Body.GetProperty("items").EnumerateArray().Select(p => p.Id()).ToList();
        Assert.Equal([theirPerson.Body.Id()], theirList);
        Assert.Equal(HttpStatusCode.OK, (await mine.GetJsonAsync($"/api/v1/people/{person.Id()}")).Status);

        // Sales' directory is kept per tenant from the events, so an opportunity cannot point at the other tenant's person.
        await Eventually.TrueAsync(async () => await PlatformServices.DirectoryEntryAsync(Platform.Sales, person.Id()) is not null, "Sales knows my person");
        var theirSales = Platform.ClientFor(Platform.Sales, otherToken);
        (await theirSales.PostJsonAsync("/api/v1/opportunities", new { name = "Steal", amount = 1, currency = "EUR", customerId = person.Id() }))
            .AssertProblem(HttpStatusCode.UnprocessableEntity);
        var opportunity = (await Platform.ClientFor(Platform.Sales).PostJsonAsync("/api/v1/opportunities",
            new { name = "Mine", amount = 1, currency = "EUR", customerId = person.Id() })).Body;
        (await theirSales.GetJsonAsync($"/api/v1/opportunities/{opportunity.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await theirSales.DeleteJsonAsync($"/api/v1/opportunities/{opportunity.Id()}", Api.AnyVersion)).AssertProblem(HttpStatusCode.NotFound);
        Assert.Empty((await theirSales.GetJsonAsync("/api/v1/opportunities")).Body.GetProperty("items").EnumerateArray());
        Assert.Empty((await theirSales.GetJsonAsync($"/api/v1/opportunities?filter[customerId]={person.Id()}")).Body.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Filters_organizations_and_the_audit_log_stop_at_the_tenant_boundary()
    {
        var (_, otherToken) = await Platform.Identity.NewTenantAsync();
        var mine = Platform.ClientFor(Platform.Contacts);
        var theirs = Platform.ClientFor(Platform.Contacts, otherToken);
        var domain = $"{Guid.NewGuid():N}.test";
        var organization = (await mine.PostJsonAsync("/api/v1/organizations", new { name = "Mine Inc", domain })).Body;
        var person = (await mine.PostJsonAsync("/api/v1/people", Api.NewPerson(organizationId: organization.Id()))).Body;

        Assert.Empty((await theirs.GetJsonAsync($"/api/v1/organizations?filter[domain]={domain}")).Body.GetProperty("items").EnumerateArray());
        Assert.Empty((await theirs.GetJsonAsync($"/api/v1/people?filter[email]={person.Str("email")}")).Body.GetProperty("items").EnumerateArray());
        Assert.Empty((await theirs.GetJsonAsync($"/api/v1/people?filter[organizationId]={organization.Id()}")).Body.GetProperty("items").EnumerateArray());
        (await theirs.GetJsonAsync($"/api/v1/organizations/{organization.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await theirs.PutJsonAsync($"/api/v1/organizations/{organization.Id()}", new { name = "Taken" }, Api.AnyVersion)).AssertProblem(HttpStatusCode.NotFound);
        (await theirs.DeleteJsonAsync($"/api/v1/organizations/{organization.Id()}", Api.AnyVersion)).AssertProblem(HttpStatusCode.NotFound);
        // Their people cannot point at my organization either.
        (await theirs.PostJsonAsync("/api/v1/people", Api.NewPerson(organizationId: organization.Id()))).AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Empty((await theirs.GetJsonAsync($"/api/v1/audit?entityId={person.Id()}")).Body.GetProperty("items").EnumerateArray());

        Assert.Equal(HttpStatusCode.OK, (await mine.GetJsonAsync($"/api/v1/organizations/{organization.Id()}")).Status);
        Assert.Single((await mine.GetJsonAsync($"/api/v1/organizations?filter[domain]={domain}")).Body.GetProperty("items").EnumerateArray());
    }
}
