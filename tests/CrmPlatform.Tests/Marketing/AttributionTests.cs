using System.Net;
using System.Text.Json;
using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.Marketing.Attribution;
using CrmPlatform.Marketing.Data;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmPlatform.Tests.Marketing;

/// <summary>
/// Attribution on real PostgreSQL and RabbitMQ: touchpoints from campaign clicks and form submissions (and campaign
/// memberships recorded directly), credited when Sales' <see cref="OpportunityWon"/> arrives, reported per campaign
/// and per channel under each model, exact to the cent, once however often the win is delivered.
/// </summary>
public sealed class AttributionTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;

    private sealed record Tenant(Guid Id, HttpClient Contacts, HttpClient Marketing);

    private async Task<Tenant> NewTenantAsync()
    {
        var (tenantId, token) = await Platform.Identity.NewTenantAsync();
        return new Tenant(tenantId, Platform.ClientFor(Platform.Contacts, token), Platform.ClientFor(Platform.Marketing, token));
    }

    private async Task<T> QueryAsync<T>(Guid tenantId, Func<MarketingDbContext, Task<T>> query)
    {
        await using var scope = Platform.Marketing.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = tenantId;
        return await query(scope.ServiceProvider.GetRequiredService<MarketingDbContext>());
    }

    private async Task<(Guid Id, string Email)> PersonAsync(Tenant tenant, Guid? organizationId = null)
    {
        var email = $"{Guid.NewGuid():N}@example.com";
        var id = (await tenant.Contacts.PostJsonAsync("/api/v1/people?allowDuplicates=true", Api.NewPerson(email, organizationId)).CreatedAsync()).Id();
        await Eventually.TrueAsync(() => QueryAsync(tenant.Id, db => db.DirectoryContacts.AnyAsync(c => c.Id == id)), "Marketing knows the person");
        return (id, email);
    }

    private async Task<Guid> OrganizationAsync(Tenant tenant)
    {
        var id = (await tenant.Contacts.PostJsonAsync("/api/v1/organizations", new { name = $"Acme {Guid.NewGuid():N}" }).CreatedAsync()).Id();
        await Eventually.TrueAsync(() => QueryAsync(tenant.Id, db => db.DirectoryContacts.AnyAsync(c => c.Id == id)), "Marketing knows the organization");
        return id;
    }

    private static CampaignLinkClicked Click(Tenant tenant, Guid campaign, Guid? personId, string? email, DateTime at) =>
        new(Guid.NewGuid(), at, tenant.Id, campaign, 1, campaign, email, personId, "https://example.com/offer", at);

    private static FormSubmitted Form(Tenant tenant, Guid? campaign, string email, DateTime at) =>
        new(Guid.NewGuid(), at, tenant.Id, Guid.NewGuid(), 1, Guid.NewGuid(), campaign,
            new FormSubmission("Ada", "Lovelace", email, null, null, null, null, null, null, false), CreateLead: false);

    private static async Task<Dictionary<string, decimal>> ReportAsync(Tenant tenant, string report, string model, string? query = null)
    {
        var answer = await tenant.Marketing.GetJsonAsync($"/api/v1/attribution/{report}?model={model}{query}");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return answer.Body.GetProperty("items").EnumerateArray().ToDictionary(
            row => $"{(report == "campaigns" ? row.GetProperty("campaignId").ToString() : row.Str("channel"))}/{row.Str("currency")}",
            row => row.GetProperty("revenue").GetDecimal());
    }

    [Fact]
    public async Task Clicks_and_forms_of_two_campaigns_are_credited_first_last_and_linear_to_the_cent_once()
    {
        var tenant = await NewTenantAsync();
        var organization = await OrganizationAsync(tenant);
        var (buyer, buyerEmail) = await PersonAsync(tenant, organization);
        var (colleague, _) = await PersonAsync(tenant, organization);
        var (stranger, strangerEmail) = await PersonAsync(tenant);
        var (spring, autumn) = (Guid.NewGuid(), Guid.NewGuid());
        var now = DateTime.UtcNow;
        var bus = Platform.Sales.Services.GetRequiredService<IBus>();

        // In the window: spring clicked by one of the organization's people (by id) and by another (by address), then autumn's form.
        await bus.Publish(Click(tenant, spring, buyer, null, now.AddDays(-10)));
        await bus.Publish(Click(tenant, spring, null, (await QueryAsync(tenant.Id, db => db.DirectoryContacts.SingleAsync(c => c.Id == colleague))).Email!.ToUpperInvariant(), now.AddDays(-5)));
        await bus.Publish(Form(tenant, autumn, buyerEmail, now.AddDays(-1)));
        // Outside: too long ago, someone else's, after the win.
        await bus.Publish(Click(tenant, autumn, buyer, null, now.AddDays(-100)));
        await bus.Publish(Click(tenant, autumn, stranger, strangerEmail, now.AddDays(-2)));
        await Eventually.TrueAsync(() => QueryAsync(tenant.Id, db => db.Touchpoints.CountAsync().ContinueWith(t => t.Result == 5)), "the touchpoints are recorded");

        var won = new OpportunityWon(Guid.NewGuid(), now, tenant.Id, Guid.NewGuid(), 4, now,
            new OpportunitySnapshot("Platform deal", 100.00m, "EUR", organization, Guid.NewGuid(), "won", 100, null, "rep-1"));
        await bus.Publish(won, context => context.MessageId = won.EventId);
        await Eventually.TrueAsync(() => QueryAsync(tenant.Id, db => db.AttributionCredits.AnyAsync()), "the win is credited");
        await bus.Publish(Click(tenant, autumn, buyer, null, now.AddMinutes(1)));

        string S(Guid campaign) => $"{campaign}/EUR";
        Assert.Equal(new Dictionary<string, decimal> { [S(spring)] = 100.00m }, await ReportAsync(tenant, "campaigns", "first-touch"));
        Assert.Equal(new Dictionary<string, decimal> { [S(autumn)] = 100.00m }, await ReportAsync(tenant, "campaigns", "last-touch"));
        // 100.00 in three: 33.34 (the earliest), 33.33, 33.33.
        Assert.Equal(new Dictionary<string, decimal> { [S(spring)] = 66.67m, [S(autumn)] = 33.33m }, await ReportAsync(tenant, "campaigns", "linear"));
        Assert.Equal(new Dictionary<string, decimal> { ["email/EUR"] = 66.67m, ["web-form/EUR"] = 33.33m }, await ReportAsync(tenant, "channels", "linear"));
        Assert.Equal(new Dictionary<string, decimal> { ["web-form/EUR"] = 100.00m }, await ReportAsync(tenant, "channels", "last-touch"));
        var linear = await QueryAsync(tenant.Id, db => db.AttributionCredits.Where(c => c.Model == "linear").OrderBy(c => c.Amount).Select(c => c.Amount).ToListAsync());
        Assert.Equal([33.33m, 33.33m, 33.34m], linear);

        // The same win again (redelivered, and republished under a new message id): nothing more.
        await bus.Publish(won, context => context.MessageId = won.EventId);
        var republished = Guid.NewGuid();
        await bus.Publish(won, context => context.MessageId = republished);
        await Eventually.TrueAsync(() => QueryAsync(tenant.Id, db => db.InboxMessages.AnyAsync(m => m.MessageId == republished && m.Consumer == AttributionConsumer.ConsumerName)),
            "the republished win is consumed");
        await Task.Delay(300);
        Assert.Equal(5, await QueryAsync(tenant.Id, db => db.AttributionCredits.CountAsync()));
        Assert.Equal(new Dictionary<string, decimal> { [S(spring)] = 66.67m, [S(autumn)] = 33.33m }, await ReportAsync(tenant, "campaigns", "linear"));

        // A win in another currency is reported beside it; the window of win times filters.
        var other = new OpportunityWon(Guid.NewGuid(), now, tenant.Id, Guid.NewGuid(), 2, now,
            new OpportunitySnapshot("Add-on", 50m, "USD", stranger, Guid.NewGuid(), "won", 100, null, "rep-1"));
        await bus.Publish(other);
        await Eventually.TrueAsync(async () => (await ReportAsync(tenant, "campaigns", "linear")).Count == 3, "the second win is credited");
        Assert.Equal(50.00m, (await ReportAsync(tenant, "campaigns", "linear"))[$"{autumn}/USD"]);
        Assert.Empty(await ReportAsync(tenant, "campaigns", "linear", $"&from={now.AddHours(1):O}".Replace("+", "%2B", StringComparison.Ordinal)));
        Assert.Equal(3, (await ReportAsync(tenant, "campaigns", "linear", $"&from={now.AddHours(-1):O}&to={now.AddHours(1):O}".Replace("+", "%2B", StringComparison.Ordinal))).Count);
        (await tenant.Marketing.GetJsonAsync("/api/v1/attribution/campaigns?model=u-shaped")).AssertProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public void Linear_shares_always_sum_to_the_amount()
    {
        Assert.Equal([33.34m, 33.33m, 33.33m], Attributions.Split(100.00m, 3));
        Assert.Equal([0.01m, 0.01m, 0m], Attributions.Split(0.02m, 3));
        foreach (var (amount, parts) in new[] { (1234.57m, 7), (0.01m, 4), (999999.99m, 13) })
        {
            Assert.Equal(amount, Attributions.Split(amount, parts).Sum());
        }
    }

    [Fact]
    public async Task Another_tenant_sees_no_revenue_and_only_admins_and_marketing_may_read_it()
    {
        var tenant = await NewTenantAsync();
        var (person, _) = await PersonAsync(tenant);
        var bus = Platform.Sales.Services.GetRequiredService<IBus>();
        var now = DateTime.UtcNow;
        await bus.Publish(Click(tenant, Guid.NewGuid(), person, null, now.AddDays(-1)));
        await Eventually.TrueAsync(() => QueryAsync(tenant.Id, db => db.Touchpoints.AnyAsync()), "the click is recorded");
        await bus.Publish(new OpportunityWon(Guid.NewGuid(), now, tenant.Id, Guid.NewGuid(), 2, now,
            new OpportunitySnapshot("Deal", 10m, "EUR", person, Guid.NewGuid(), "won", 100, null, null)));
        await Eventually.TrueAsync(async () => (await ReportAsync(tenant, "channels", "linear")).Count == 1, "the win is credited");

        var other = await NewTenantAsync();
        Assert.Empty(await ReportAsync(other, "campaigns", "linear"));
        Assert.Empty(await ReportAsync(other, "channels", "first-touch"));
        foreach (var role in new[] { Roles.SalesRep, Roles.SalesManager, Roles.ServiceAgent, Roles.ReadOnly })
        {
            var client = Platform.ClientFor(Platform.Marketing, await Platform.Identity.NewClientTokenAsync(tenant.Id, role));
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetJsonAsync("/api/v1/attribution/campaigns")).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetJsonAsync("/api/v1/attribution/channels")).Status);
        }
        var marketing = Platform.ClientFor(Platform.Marketing, await Platform.Identity.NewClientTokenAsync(tenant.Id, Roles.Marketing));
        var report = await marketing.GetJsonAsync("/api/v1/attribution/channels");
        Assert.Equal(HttpStatusCode.OK, report.Status);
        Assert.Equal(10m, report.Body.GetProperty("items")[0].GetProperty("revenue").GetDecimal());
    }
}
