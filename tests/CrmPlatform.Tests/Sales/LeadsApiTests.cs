using System.Net;
using System.Text.Json;
using CrmPlatform.Contracts;
using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Identity;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Tests.Sales;

/// <summary>
/// Leads through Sales' API on real PostgreSQL and RabbitMQ: capture, filters, the status machine and its problems,
/// If-Match, Idempotency-Key, record scopes, tenants, and the events the outbox publishes.
/// </summary>
public sealed class LeadsApiTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _sales = fixture.Platform.ClientFor(fixture.Platform.Sales);
    private PlatformServices Platform => fixture.Platform;

    internal static object LeadBody(string lastName = "Turing", string? email = null, string? company = "Bletchley Analytics", string country = "gb",
        string? source = null, Guid? campaignId = null, string? sourceReference = null, string[]? productInterests = null) => new
    {
        firstName = "Alan", lastName, email = email ?? $"Alan.{Guid.NewGuid():N}@Example.com", phone = "+44 20 7946 0000", jobTitle = "Head of Research",
        company, companyDomain = "bletchley.example", industry = "software", employeeCount = 120, country, region = "England", postalCode = "MK3 6EB",
        city = "Milton Keynes", source, campaignId, sourceReference, productInterests = productInterests ?? ["crm-pro", " crm-pro ", "analytics"],
        description = "Met at the stand.",
    };

    private Task<string> TokenAsync(string subject, string role, Guid? tenant = null) =>
        Platform.Identity.SignedTokenAsync(subject, tenant ?? TenantContext.DefaultTenantId, role);

    private Task<List<OutboxRow>> EventsAsync<TEvent>(Guid aggregateId) where TEvent : IIntegrationEvent =>
        PlatformServices.QueryAsync(Platform.Sales, async db => (await db.OutboxMessages.AsNoTracking()
                .Where(m => m.EventType == typeof(TEvent).FullName).OrderBy(m => m.Sequence).ToListAsync())
            .Select(m => new OutboxRow(m.ToEvent(), m.PublishedAt is not null))
            .Where(row => row.Event.AggregateId == aggregateId)
            .ToList());

    private sealed record OutboxRow(IIntegrationEvent Event, bool Published);

    private static Task<ApiAnswer> MoveAsync(HttpClient client, JsonElement lead, string status, string? reason = null) =>
        client.PutJsonAsync($"/api/v1/leads/{lead.Id()}/status", new { status, disqualificationReason = reason }, lead.ETag());

    [Fact]
    public async Task A_lead_is_captured_normalized_and_announced_once_with_the_tenant_and_without_personal_data()
    {
        var campaign = Guid.NewGuid();
        var lead = await _sales.PostJsonAsync("/api/v1/leads", LeadBody(campaignId: campaign, source: "event")).CreatedAsync();
        Assert.Equal(("new", "event", "GB"), (lead.Str("status"), lead.Str("source"), lead.Str("country")));
        Assert.StartsWith("alan.", lead.Str("email"));
        Assert.Equal(["crm-pro", "analytics"], lead.GetProperty("productInterests").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(lead.Str("createdBy"), lead.Str("ownerId"));

        var read = await _sales.GetJsonAsync($"/api/v1/leads/{lead.Id()}");
        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.Equal("\"1\"", read.Response.Headers.ETag?.Tag);

        var created = await Eventually.ReturnsAsync(() => EventsAsync<LeadCreated>(lead.Id()), rows => rows.Any(r => r.Published), "LeadCreated is published");
        var only = (LeadCreated)Assert.Single(created).Event;
        Assert.Equal(TenantContext.DefaultTenantId, only.TenantId);
        Assert.Equal((1, "new", "GB", campaign, "event"), (only.Version, only.Lead.Status, only.Lead.Country, only.Lead.CampaignId, only.Lead.Source));
        Assert.Equal(["crm-pro", "analytics"], only.Lead.ProductInterests);
        // Names, email and phone stay in Sales.
        var json = JsonSerializer.Serialize(only);
        Assert.DoesNotContain(lead.Str("email"), json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Turing", json, StringComparison.Ordinal);

        // An update is not a new lead.
        var updated = await _sales.PutJsonAsync($"/api/v1/leads/{lead.Id()}", LeadBody(lastName: "Turing-Smith", campaignId: campaign), lead.ETag());
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal(("Turing-Smith", 2), (updated.Body.Str("lastName"), updated.Body.GetProperty("version").GetInt32()));
        (await _sales.PutJsonAsync($"/api/v1/leads/{lead.Id()}", LeadBody(), lead.ETag())).AssertProblem(HttpStatusCode.PreconditionFailed);
        Assert.Single(await EventsAsync<LeadCreated>(lead.Id()));

        // Audited like every customer record.
        var audit = await _sales.GetJsonAsync($"/api/v1/audit?entityType=lead&entityId={lead.Id()}");
        Assert.Equal(HttpStatusCode.OK, audit.Status);
        Assert.Equal(2, audit.Items().Count);
    }

    [Fact]
    public async Task Malformed_leads_are_400_naming_the_fields_and_nothing_is_written()
    {
        var bad = await _sales.PostJsonAsync("/api/v1/leads", new { firstName = "X", email = "not-an-email", country = "Germany", source = "fax", productInterests = new[] { "" } });
        bad.AssertProblem(HttpStatusCode.BadRequest);
        var errors = bad.Body.GetProperty("errors");
        foreach (var field in new[] { "lastName", "email", "country", "source", "productInterests" })
        {
            Assert.True(errors.TryGetProperty(field, out _), field);
        }
        (await _sales.PostJsonAsync("/api/v1/leads", new { lastName = "Nobody" })).AssertProblem(HttpStatusCode.BadRequest);
        (await _sales.GetJsonAsync("/api/v1/leads?filter[colour]=red")).AssertProblem(HttpStatusCode.BadRequest);
        (await _sales.GetJsonAsync("/api/v1/leads?filter[createdAfter]=yesterday")).AssertProblem(HttpStatusCode.BadRequest);
        (await _sales.GetJsonAsync($"/api/v1/leads/{Guid.NewGuid()}")).AssertProblem(HttpStatusCode.NotFound);
        Assert.Equal(0, await PlatformServices.QueryAsync(Platform.Sales, db => db.Leads.CountAsync(l => l.LastName == "Nobody")));
    }

    [Fact]
    public async Task Lists_filter_by_status_source_campaign_owner_country_company_email_and_creation_time()
    {
        var campaign = Guid.NewGuid();
        var since = DateTime.UtcNow.AddSeconds(-1);
        var first = await _sales.PostJsonAsync("/api/v1/leads", LeadBody(company: "Zuse Rechenwerk GmbH", country: "de", campaignId: campaign, source: "partner")).CreatedAsync();
        var second = await _sales.PostJsonAsync("/api/v1/leads", LeadBody(company: "Zuse Rechenwerk GmbH", country: "at", campaignId: campaign)).CreatedAsync();
        await _sales.PostJsonAsync("/api/v1/leads", LeadBody(company: "Other", campaignId: Guid.NewGuid())).CreatedAsync();

        List<Guid> Ids(ApiAnswer answer) => [.. answer.Items().Select(i => i.Id())];
        Assert.Equal([first.Id(), second.Id()], Ids(await _sales.GetJsonAsync($"/api/v1/leads?filter[campaignId]={campaign}")));
        Assert.Equal([first.Id()], Ids(await _sales.GetJsonAsync($"/api/v1/leads?filter[campaignId]={campaign}&filter[country]=de")));
        Assert.Equal([first.Id()], Ids(await _sales.GetJsonAsync($"/api/v1/leads?filter[campaignId]={campaign}&filter[source]=partner")));
        Assert.Equal([second.Id(), first.Id()], Ids(await _sales.GetJsonAsync("/api/v1/leads?filter[company]=rechenWERK&sort=-createdAt")));
        Assert.Equal([first.Id()], Ids(await _sales.GetJsonAsync($"/api/v1/leads?filter[email]={Uri.EscapeDataString(first.Str("email").ToUpperInvariant())}")));
        Assert.Equal(2, Ids(await _sales.GetJsonAsync($"/api/v1/leads?filter[campaignId]={campaign}&filter[ownerId]={first.Str("ownerId")}&filter[status]=new")).Count);
        Assert.Equal([first.Id(), second.Id()], Ids(await _sales.GetJsonAsync(
            $"/api/v1/leads?filter[campaignId]={campaign}&filter[createdAfter]={since:O}&filter[productInterest]=analytics")));
        Assert.Empty(Ids(await _sales.GetJsonAsync($"/api/v1/leads?filter[campaignId]={campaign}&filter[createdBefore]={since:O}")));

        // Cursor paging walks the same list one at a time.
        var page = await _sales.GetJsonAsync($"/api/v1/leads?filter[campaignId]={campaign}&limit=1");
        Assert.Equal([first.Id()], Ids(page));
        var next = page.Body.GetProperty("nextCursor").GetString();
        Assert.Equal([second.Id()], Ids(await _sales.GetJsonAsync($"/api/v1/leads?filter[campaignId]={campaign}&limit=1&cursor={Uri.EscapeDataString(next!)}")));
    }

    [Fact]
    public async Task Status_moves_new_working_qualified_or_disqualified_with_a_reason_and_never_to_converted()
    {
        var lead = await _sales.PostJsonAsync("/api/v1/leads", LeadBody()).CreatedAsync();
        (await MoveAsync(_sales, lead, "qualified")).AssertProblem(HttpStatusCode.Conflict);
        (await MoveAsync(_sales, lead, "promoted")).AssertProblem(HttpStatusCode.BadRequest);
        var converted = await MoveAsync(_sales, lead, "converted");
        converted.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.True(converted.Body.GetProperty("errors").TryGetProperty("status", out _));

        var working = (await MoveAsync(_sales, lead, "working")).Body;
        Assert.Equal("working", working.Str("status"));
        (await MoveAsync(_sales, lead, "qualified")).AssertProblem(HttpStatusCode.PreconditionFailed);
        var noReason = await MoveAsync(_sales, working, "disqualified", "  ");
        noReason.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.True(noReason.Body.GetProperty("errors").TryGetProperty("disqualificationReason", out _));

        var disqualified = (await MoveAsync(_sales, working, "disqualified", "No budget this year")).Body;
        Assert.Equal(("disqualified", "No budget this year"), (disqualified.Str("status"), disqualified.Str("disqualificationReason")));
        var reopened = (await MoveAsync(_sales, disqualified, "working")).Body;
        Assert.Equal(JsonValueKind.Null, reopened.GetProperty("disqualificationReason").ValueKind);
        var qualified = (await MoveAsync(_sales, reopened, "qualified")).Body;
        Assert.Equal("qualified", qualified.Str("status"));
        // Saying it again changes nothing and raises nothing.
        Assert.Equal(qualified.GetProperty("version").GetInt32(), (await MoveAsync(_sales, qualified, "qualified")).Body.GetProperty("version").GetInt32());

        var disqualifiedEvent = (LeadDisqualified)Assert.Single(await Eventually.ReturnsAsync(() => EventsAsync<LeadDisqualified>(lead.Id()),
            rows => rows.All(r => r.Published) && rows.Count > 0, "LeadDisqualified is published")).Event;
        Assert.Equal(("No budget this year", disqualified.GetProperty("version").GetInt32(), "disqualified"),
            (disqualifiedEvent.Reason, disqualifiedEvent.Version, disqualifiedEvent.Lead.Status));
        var qualifiedEvent = (LeadQualified)Assert.Single(await Eventually.ReturnsAsync(() => EventsAsync<LeadQualified>(lead.Id()),
            rows => rows.All(r => r.Published) && rows.Count > 0, "LeadQualified is published")).Event;
        Assert.Equal((TenantContext.DefaultTenantId, qualified.GetProperty("version").GetInt32(), qualified.Str("updatedBy")),
            (qualifiedEvent.TenantId, qualifiedEvent.Version, qualifiedEvent.QualifiedBy));
    }

    [Fact]
    public async Task A_converted_lead_is_read_only_and_cannot_be_deleted()
    {
        var lead = await _sales.PostJsonAsync("/api/v1/leads", LeadBody()).CreatedAsync();
        // Conversion (another feature) sets the status; here the database stands in for it.
        await PlatformServices.QueryAsync(Platform.Sales, db => db.Leads.Where(l => l.Id == lead.Id())
            .ExecuteUpdateAsync(set => set.SetProperty(l => l.Status, "converted").SetProperty(l => l.ConvertedOpportunityId, Guid.NewGuid())));
        (await MoveAsync(_sales, lead, "working")).AssertProblem(HttpStatusCode.Conflict);
        (await _sales.PutJsonAsync($"/api/v1/leads/{lead.Id()}", LeadBody(), Api.AnyVersion)).AssertProblem(HttpStatusCode.Conflict);
        (await _sales.DeleteJsonAsync($"/api/v1/leads/{lead.Id()}", Api.AnyVersion)).AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal("converted", (await _sales.GetJsonAsync($"/api/v1/leads/{lead.Id()}")).Body.Str("status"));
    }

    [Fact]
    public async Task A_retried_post_with_the_same_idempotency_key_captures_one_lead_and_a_source_reference_names_one_lead()
    {
        var body = LeadBody(email: $"retry.{Guid.NewGuid():N}@example.com");
        async Task<HttpResponseMessage> PostAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/leads") { Content = System.Net.Http.Json.JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", "lead-retry-" + body.GetHashCode());
            return await _sales.SendAsync(request);
        }
        var first = await PostAsync();
        var second = await PostAsync();
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, second.StatusCode));
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        var email = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.Str("email");
        Assert.Equal(1, await PlatformServices.QueryAsync(Platform.Sales, db => db.Leads.CountAsync(l => l.Email == email)));

        var reference = Guid.NewGuid().ToString();
        await _sales.PostJsonAsync("/api/v1/leads", LeadBody(source: "partner", sourceReference: reference)).CreatedAsync();
        (await _sales.PostJsonAsync("/api/v1/leads", LeadBody(source: "partner", sourceReference: reference))).AssertProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Reps_see_their_own_and_their_teams_leads_managers_their_teams_others_get_404_and_tenants_nothing()
    {
        var admin = Platform.ClientFor(Platform.Identity.Factory);
        var rep = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        var teammate = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        var manager = await IdentityApi.NewUserAsync(admin, Roles.SalesManager);
        var otherManager = await IdentityApi.NewUserAsync(admin, Roles.SalesManager);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostJsonAsync("/api/v1/teams", new { name = "Leads A", memberIds = new[] { rep.Id, teammate.Id, manager.Id } })).Status);

        var repSales = Platform.ClientFor(Platform.Sales, await TokenAsync(rep.Id.ToString(), Roles.SalesRep));
        var lead = await repSales.PostJsonAsync("/api/v1/leads", LeadBody()).CreatedAsync();
        Assert.Equal(rep.Id.ToString(), lead.Str("ownerId"));
        var url = $"/api/v1/leads/{lead.Id()}";

        var teammateSales = Platform.ClientFor(Platform.Sales, await TokenAsync(teammate.Id.ToString(), Roles.SalesRep));
        await Eventually.TrueAsync(async () => (await teammateSales.GetJsonAsync(url)).Status == HttpStatusCode.OK, "the teammate sees the team's lead");
        var managerSales = Platform.ClientFor(Platform.Sales, await TokenAsync(manager.Id.ToString(), Roles.SalesManager));
        Assert.Equal(HttpStatusCode.OK, (await managerSales.GetJsonAsync(url)).Status);
        Assert.Contains((await managerSales.GetJsonAsync($"/api/v1/leads?filter[ownerId]={rep.Id}")).Items(), l => l.Id() == lead.Id());

        var outsider = Platform.ClientFor(Platform.Sales, await TokenAsync(otherManager.Id.ToString(), Roles.SalesManager));
        (await outsider.GetJsonAsync(url)).AssertProblem(HttpStatusCode.NotFound);
        (await MoveAsync(outsider, lead, "working")).AssertProblem(HttpStatusCode.NotFound);
        Assert.DoesNotContain((await outsider.GetJsonAsync($"/api/v1/leads?filter[ownerId]={rep.Id}")).Items(), l => l.Id() == lead.Id());

        // Reps do not delete; marketing captures and reads, but qualifying is sales' call; readers read.
        (await repSales.DeleteJsonAsync(url, lead.ETag())).AssertProblem(HttpStatusCode.Forbidden);
        var marketing = Platform.ClientFor(Platform.Sales, await TokenAsync(Guid.NewGuid().ToString(), Roles.Marketing));
        await marketing.PostJsonAsync("/api/v1/leads", LeadBody()).CreatedAsync();
        Assert.Equal(HttpStatusCode.OK, (await marketing.GetJsonAsync(url)).Status);
        (await MoveAsync(marketing, lead, "working")).AssertProblem(HttpStatusCode.Forbidden);
        var reader = Platform.ClientFor(Platform.Sales, await TokenAsync(Guid.NewGuid().ToString(), Roles.ReadOnly));
        Assert.Equal(HttpStatusCode.OK, (await reader.GetJsonAsync(url)).Status);
        (await reader.PostJsonAsync("/api/v1/leads", LeadBody())).AssertProblem(HttpStatusCode.Forbidden);

        // Another tenant's admin neither sees nor changes it, nor finds it in lists.
        var otherTenant = Platform.ClientFor(Platform.Sales, await TokenAsync(Guid.NewGuid().ToString(), Roles.Admin, Guid.NewGuid()));
        (await otherTenant.GetJsonAsync(url)).AssertProblem(HttpStatusCode.NotFound);
        (await otherTenant.DeleteJsonAsync(url, Api.AnyVersion)).AssertProblem(HttpStatusCode.NotFound);
        Assert.Empty((await otherTenant.GetJsonAsync($"/api/v1/leads?filter[ownerId]={rep.Id}")).Items());

        // The manager may delete the team's lead.
        Assert.Equal(HttpStatusCode.NoContent, (await managerSales.DeleteJsonAsync(url, lead.ETag())).Status);
        (await repSales.GetJsonAsync(url)).AssertProblem(HttpStatusCode.NotFound);
    }
}
