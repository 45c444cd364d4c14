using System.Net;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CrmPlatform.Tests.Consents.ConsentStatements;

namespace CrmPlatform.Tests.Gdpr;

/// <summary>
/// A tenant's retention policy: people without activity for the policy's months are erased through the erasure path
/// (every service confirms), people with recent activity and other tenants' people are left alone, and each run is
/// logged with whom it anonymized.
/// </summary>
public sealed class RetentionTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;

    private const string PolicyUrl = "/api/v1/gdpr/retention-policy";

    /// <summary>Dates the person's last change (and their consents') back, as if nothing had happened since.</summary>
    private async Task BackdateAsync(Guid tenantId, Guid person, DateTime when)
    {
        await using var scope = Platform.Contacts.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = tenantId;
        var db = scope.ServiceProvider.GetRequiredService<CrmPlatform.Contacts.Data.ContactsDbContext>();
        await db.Database.ExecuteSqlAsync($"UPDATE people SET updated_at = {when} WHERE id = {person}");
        await db.Database.ExecuteSqlAsync($"UPDATE consents SET changed_at = {when} WHERE person_id = {person}");
    }

    private static async Task<Guid> NewPersonAsync(HttpClient contacts, string lastName) =>
        (await contacts.PostJsonAsync("/api/v1/people", Api.NewPerson(lastName: lastName))).Body.Id();

    [Fact]
    public async Task A_run_anonymizes_only_the_inactive_people_of_its_tenant_through_the_erasure_path_and_logs_them()
    {
        var (tenantId, token) = await Platform.Identity.NewTenantAsync(Roles.Admin);
        var steps = new GdprSteps(Platform, token);
        var contacts = steps.Contacts;
        var longAgo = DateTime.UtcNow.AddMonths(-30);

        var inactive = await NewPersonAsync(contacts, "Inactive");
        var recentConsent = await NewPersonAsync(contacts, "RecentConsent");
        var active = await NewPersonAsync(contacts, "Active");
        var restricted = await NewPersonAsync(contacts, "Restricted");
        await steps.RequestAsync(restricted, "restriction");
        await BackdateAsync(tenantId, inactive, longAgo);
        await BackdateAsync(tenantId, recentConsent, longAgo);
        await BackdateAsync(tenantId, restricted, longAgo);
        await contacts.PostJsonAsync(ConsentsUrl(recentConsent), Grant());

        // The default tenant's long-inactive person is someone else's business.
        var defaultContacts = Platform.ClientFor(Platform.Contacts);
        var otherTenantsInactive = await NewPersonAsync(defaultContacts, "OtherTenant");
        await BackdateAsync(TenantContext.DefaultTenantId, otherTenantsInactive, longAgo);

        (await contacts.PostJsonAsync($"{PolicyUrl}/run", new { })).AssertProblem(HttpStatusCode.Conflict);
        (await contacts.PutJsonAsync(PolicyUrl, new { anonymizeInactiveAfterMonths = 0 }, Api.AnyVersion)).AssertProblem(HttpStatusCode.BadRequest);
        var policy = await contacts.PutJsonAsync(PolicyUrl, new { anonymizeInactiveAfterMonths = 24 }, Api.AnyVersion);
        Assert.Equal(HttpStatusCode.OK, policy.Status);
        Assert.Equal(24, (await contacts.GetJsonAsync(PolicyUrl)).Body.GetProperty("anonymizeInactiveAfterMonths").GetInt32());

        var run = await contacts.PostJsonAsync($"{PolicyUrl}/run", new { });
        Assert.Equal(HttpStatusCode.OK, run.Status);
        Assert.Equal(1, run.Body.GetProperty("anonymizedCount").GetInt32());
        var anonymized = run.Body.GetProperty("anonymized")[0];
        Assert.Equal(inactive, anonymized.GetProperty("personId").GetGuid());
        Assert.True(anonymized.GetProperty("lastActivityAt").GetDateTime() < DateTime.UtcNow.AddMonths(-24));

        var request = await steps.CompletedAsync(anonymized.GetProperty("requestId").GetGuid());
        Assert.Equal(("erasure", "retention-policy"), (request.Str("type"), request.Str("requestedBy")));
        Assert.Equal(CrmPlatform.Contracts.Gdpr.V1.GdprServiceNames.All.Count, request.GetProperty("services").EnumerateArray().Count(s => s.GetProperty("answered").GetBoolean()));

        Assert.Equal("[erased]", (await contacts.GetJsonAsync($"/api/v1/people/{inactive}")).Body.Str("lastName"));
        foreach (var kept in new[] { recentConsent, active, restricted })
        {
            Assert.NotEqual("[erased]", (await contacts.GetJsonAsync($"/api/v1/people/{kept}")).Body.Str("lastName"));
        }
        Assert.Equal("OtherTenant", (await defaultContacts.GetJsonAsync($"/api/v1/people/{otherTenantsInactive}")).Body.Str("lastName"));

        // A second run finds nobody left; both runs are in the log, and the other tenant sees neither.
        Assert.Equal(0, (await contacts.PostJsonAsync($"{PolicyUrl}/run", new { })).Body.GetProperty("anonymizedCount").GetInt32());
        var runs = await contacts.GetJsonAsync("/api/v1/gdpr/retention-runs");
        Assert.Equal([1, 0], runs.Items().Select(r => r.GetProperty("anonymizedCount").GetInt32()));
        Assert.Empty((await defaultContacts.GetJsonAsync("/api/v1/gdpr/retention-runs")).Items());
    }

    [Fact]
    public async Task The_schedule_runs_every_tenants_policy()
    {
        var (tenantId, token) = await Platform.Identity.NewTenantAsync(Roles.Admin);
        var contacts = Platform.ClientFor(Platform.Contacts, token);
        var inactive = await NewPersonAsync(contacts, "Scheduled");
        await BackdateAsync(tenantId, inactive, DateTime.UtcNow.AddMonths(-3));
        await contacts.PutJsonAsync(PolicyUrl, new { anonymizeInactiveAfterMonths = 2 }, Api.AnyVersion);

        // What the hosted service does at each interval, run now rather than waiting a day.
        await Platform.Contacts.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>()
            .OfType<CrmPlatform.Contacts.Gdpr.RetentionScheduler>().Single().RunAllAsync(CancellationToken.None);

        var run = Assert.Single((await contacts.GetJsonAsync("/api/v1/gdpr/retention-runs")).Items());
        Assert.Equal("schedule", run.Str("triggeredBy"));
        Assert.Equal(inactive, run.GetProperty("anonymized")[0].GetProperty("personId").GetGuid());
    }

    [Fact]
    public async Task Only_admins_manage_retention()
    {
        var rep = Platform.ClientFor(Platform.Contacts, await Platform.Identity.NewClientTokenAsync(TenantContext.DefaultTenantId, Roles.SalesRep));
        Assert.Equal(HttpStatusCode.Forbidden, (await rep.GetJsonAsync(PolicyUrl)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await rep.PutJsonAsync(PolicyUrl, new { anonymizeInactiveAfterMonths = 1 }, Api.AnyVersion)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await rep.PostJsonAsync($"{PolicyUrl}/run", new { })).Status);
    }
}
