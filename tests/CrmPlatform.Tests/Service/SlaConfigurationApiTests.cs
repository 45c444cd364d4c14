using System.Net;
using System.Text.Json;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static CrmPlatform.Tests.Service.SlaTestCalendars;

namespace CrmPlatform.Tests.Service;

/// <summary>
/// Business calendars, SLA policies and service contracts through Service's API on the real PostgreSQL: validation
/// problems naming the field, ETag/If-Match, one default per tenant, what is in use, permissions (admins write,
/// agents read), tenant isolation, and which policy applies to a ticket and why.
/// </summary>
public sealed class SlaConfigurationApiTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;

    private async Task<(Guid Tenant, HttpClient Admin)> TenantAsync()
    {
        var (tenant, token) = await Platform.Identity.NewTenantAsync();
        return (tenant, Platform.ClientFor(Platform.Service, token));
    }

    private async Task<HttpClient> AsAsync(Guid tenant, string role) =>
        Platform.ClientFor(Platform.Service, await Platform.Identity.SignedTokenAsync($"user-{Guid.NewGuid():N}", tenant, role));

    private static object PolicyRequest(string name, Guid? calendarId = null, bool isDefault = false, int warningPercent = 80, int normalFirstResponse = 240) => new
    {
        name,
        isDefault,
        calendarId,
        warningPercent,
        targets = new object[]
        {
            new { priority = "low", firstResponseMinutes = 480, resolutionMinutes = 2400 },
            new { priority = "normal", firstResponseMinutes = normalFirstResponse, resolutionMinutes = 960 },
            new { priority = "high", firstResponseMinutes = 120, resolutionMinutes = 480 },
            new { priority = "urgent", firstResponseMinutes = 60, resolutionMinutes = 240 },
        },
    };

    private static string[] Errors(ApiAnswer answer, string field) =>
        [.. answer.Body.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()!)];

    [Fact]
    public async Task A_calendar_that_cannot_be_is_refused_naming_the_field_and_nothing_is_written()
    {
        var (_, admin) = await TenantAsync();
        var missing = await admin.PostJsonAsync("/api/v1/business-calendars", new { workingHours = new[] { new { day = "monday", from = "8am", to = "17:00" } } });
        missing.AssertProblem(HttpStatusCode.BadRequest);
        Assert.NotEmpty(Errors(missing, "name"));
        Assert.NotEmpty(Errors(missing, "timeZone"));
        Assert.NotEmpty(Errors(missing, "workingHours[0].from"));

        var zone = await admin.PostJsonAsync("/api/v1/business-calendars", new
        {
            name = "Atlantis", timeZone = "Europe/Atlantis", workingHours = new[] { new { day = "monday", from = "08:00", to = "17:00" } },
        });
        zone.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("IANA", Assert.Single(Errors(zone, "timeZone")));

        var overlapping = await admin.PostJsonAsync("/api/v1/business-calendars", new
        {
            name = "Overlap", timeZone = "Europe/Berlin",
            workingHours = new[]
            {
                new { day = "monday", from = "08:00", to = "12:00" }, new { day = "monday", from = "11:00", to = "17:00" },
                new { day = "tuesday", from = "17:00", to = "09:00" },
            },
        });
        overlapping.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("overlaps", Assert.Single(Errors(overlapping, "workingHours[1]")));
        Assert.NotEmpty(Errors(overlapping, "workingHours[2].to"));

        var halfHoliday = await admin.PostJsonAsync("/api/v1/business-calendars", new
        {
            name = "Half", timeZone = "UTC", workingHours = new[] { new { day = "monday", from = "08:00", to = "17:00" } },
            holidays = new[] { new { date = "2026-12-24", from = "12:00" } },
        });
        halfHoliday.AssertProblem(HttpStatusCode.BadRequest);
        Assert.NotEmpty(Errors(halfHoliday, "holidays[0].from"));

        Assert.Empty((await admin.GetJsonAsync("/api/v1/business-calendars")).Items());
    }

    [Fact]
    public async Task Calendars_are_versioned_one_is_the_default_and_one_in_use_stays()
    {
        var (_, admin) = await TenantAsync();
        var created = await admin.PostJsonAsync("/api/v1/business-calendars", BerlinOfficeRequest());
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal($"/api/v1/business-calendars/{created.Body.Id()}", created.Response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", created.Response.Headers.ETag?.Tag);
        var office = created.Body;
        Assert.True(office.GetProperty("isDefault").GetBoolean());
        Assert.Equal("Europe/Berlin", office.Str("timeZone"));
        Assert.Equal(10, office.GetProperty("workingHours").GetArrayLength());
        Assert.Equal("monday", office.GetProperty("workingHours")[0].Str("day"));
        var holiday = office.GetProperty("holidays")[1];
        Assert.Equal(("2026-12-24", "12:00", "24:00"), (holiday.Str("date"), holiday.Str("from"), holiday.Str("to")));

        var url = $"/api/v1/business-calendars/{office.Id()}";
        var changed = BerlinOfficeRequest("Berlin office (winter)", isDefault: true);
        (await admin.PutJsonAsync(url, changed, ifMatch: null)).AssertProblem(HttpStatusCode.PreconditionRequired);
        (await admin.PutJsonAsync(url, changed, ifMatch: "\"7\"")).AssertProblem(HttpStatusCode.PreconditionFailed);
        var updated = await admin.PutJsonAsync(url, changed, office.ETag());
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal((2, "Berlin office (winter)"), (updated.Body.GetProperty("version").GetInt32(), updated.Body.Str("name")));
        (await admin.PutJsonAsync(url, changed, office.ETag())).AssertProblem(HttpStatusCode.PreconditionFailed);

        // A second calendar made the default takes it over; the first cannot be made non-default by itself.
        var support = await admin.PostJsonAsync("/api/v1/business-calendars", BerlinOfficeRequest("Second line", isDefault: true)).CreatedAsync();
        Assert.True(support.GetProperty("isDefault").GetBoolean());
        var defaults = (await admin.GetJsonAsync("/api/v1/business-calendars?filter[isDefault]=true")).Items();
        Assert.Equal([support.Id()], defaults.Select(c => c.Id()));
        (await admin.DeleteJsonAsync($"/api/v1/business-calendars/{support.Id()}", Api.AnyVersion)).AssertProblem(HttpStatusCode.Conflict);

        // A policy on the first calendar keeps it.
        await admin.PostJsonAsync("/api/v1/sla-policies", PolicyRequest("Standard", office.Id())).CreatedAsync();
        var inUse = await admin.DeleteJsonAsync(url, Api.AnyVersion);
        inUse.AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal(1, inUse.Body.GetProperty("policies").GetInt32());
    }

    [Fact]
    public async Task Policies_need_targets_for_every_priority_and_a_calendar_of_the_tenant()
    {
        var (_, admin) = await TenantAsync();
        var (_, otherAdmin) = await TenantAsync();
        var foreignCalendar = await otherAdmin.PostJsonAsync("/api/v1/business-calendars", BerlinOfficeRequest()).CreatedAsync();

        var percent = await admin.PostJsonAsync("/api/v1/sla-policies", PolicyRequest("Standard", warningPercent: 0));
        percent.AssertProblem(HttpStatusCode.BadRequest);
        Assert.NotEmpty(Errors(percent, "warningPercent"));

        var partial = await admin.PostJsonAsync("/api/v1/sla-policies", new
        {
            name = "Partial", targets = new object[]
            {
                new { priority = "normal", firstResponseMinutes = 240, resolutionMinutes = 960 },
                new { priority = "normal", firstResponseMinutes = 60, resolutionMinutes = 120 },
                new { priority = "critical", firstResponseMinutes = 10, resolutionMinutes = 60 },
                new { priority = "high", firstResponseMinutes = 500, resolutionMinutes = 60 },
            },
        });
        partial.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.NotEmpty(Errors(partial, "targets[1].priority"));
        Assert.NotEmpty(Errors(partial, "targets[2].priority"));
        Assert.NotEmpty(Errors(partial, "targets[3].firstResponseMinutes"));
        Assert.Contains("low", Assert.Single(Errors(partial, "targets")));

        var foreign = await admin.PostJsonAsync("/api/v1/sla-policies", PolicyRequest("Standard", foreignCalendar.Id()));
        foreign.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.NotEmpty(Errors(foreign, "calendarId"));
        Assert.Empty((await admin.GetJsonAsync("/api/v1/sla-policies")).Items());

        var standard = await admin.PostJsonAsync("/api/v1/sla-policies", PolicyRequest("Standard")).CreatedAsync();
        Assert.True(standard.GetProperty("isDefault").GetBoolean());
        Assert.Equal(["low", "normal", "high", "urgent"], standard.GetProperty("targets").EnumerateArray().Select(t => t.Str("priority")));
        var again = await admin.PostJsonAsync("/api/v1/sla-policies", PolicyRequest("Standard"));
        again.AssertProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Admins_write_agents_read_and_other_tenants_see_nothing()
    {
        var (tenant, admin) = await TenantAsync();
        var calendar = await admin.PostJsonAsync("/api/v1/business-calendars", BerlinOfficeRequest()).CreatedAsync();
        var policy = await admin.PostJsonAsync("/api/v1/sla-policies", PolicyRequest("Standard", calendar.Id())).CreatedAsync();

        var agent = await AsAsync(tenant, Roles.ServiceAgent);
        Assert.Equal(HttpStatusCode.OK, (await agent.GetJsonAsync($"/api/v1/business-calendars/{calendar.Id()}")).Status);
        Assert.Single((await agent.GetJsonAsync("/api/v1/sla-policies")).Items());
        Assert.Equal(HttpStatusCode.OK, (await agent.GetJsonAsync("/api/v1/service-contracts")).Status);
        (await agent.PostJsonAsync("/api/v1/business-calendars", BerlinOfficeRequest("Mine"))).AssertProblem(HttpStatusCode.Forbidden);
        (await agent.PutJsonAsync($"/api/v1/sla-policies/{policy.Id()}", PolicyRequest("Faster", calendar.Id()), Api.AnyVersion)).AssertProblem(HttpStatusCode.Forbidden);
        (await agent.DeleteJsonAsync($"/api/v1/business-calendars/{calendar.Id()}", Api.AnyVersion)).AssertProblem(HttpStatusCode.Forbidden);
        (await agent.PostJsonAsync("/api/v1/service-contracts", new { name = "x" })).AssertProblem(HttpStatusCode.Forbidden);
        var rep = await AsAsync(tenant, Roles.SalesRep);
        (await rep.GetJsonAsync("/api/v1/sla-policies")).AssertProblem(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await rep.GetJsonAsync("/api/v1/service-contracts")).Status);

        var (_, stranger) = await TenantAsync();
        (await stranger.GetJsonAsync($"/api/v1/business-calendars/{calendar.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await stranger.GetJsonAsync($"/api/v1/sla-policies/{policy.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await stranger.PutJsonAsync($"/api/v1/sla-policies/{policy.Id()}", PolicyRequest("Mine"), Api.AnyVersion)).AssertProblem(HttpStatusCode.NotFound);
        (await stranger.DeleteJsonAsync($"/api/v1/business-calendars/{calendar.Id()}", Api.AnyVersion)).AssertProblem(HttpStatusCode.NotFound);
        Assert.Empty((await stranger.GetJsonAsync("/api/v1/business-calendars")).Items());
        // The stranger's first calendar is its own default: the other tenant's does not count.
        Assert.True((await stranger.PostJsonAsync("/api/v1/business-calendars", BerlinOfficeRequest()).CreatedAsync()).GetProperty("isDefault").GetBoolean());
    }

    [Fact]
    public async Task The_policy_of_a_ticket_is_its_organizations_valid_contract_else_the_tenants_default()
    {
        var (tenant, admin) = await TenantAsync();
        var contacts = Platform.ClientFor(Platform.Contacts, await Platform.Identity.NewClientTokenAsync(tenant));
        async Task<Guid> OrganizationAsync(string name)
        {
            var id = (await contacts.PostJsonAsync("/api/v1/organizations", new { name = $"{name} {Guid.NewGuid():N}" }).CreatedAsync()).Id();
            await Eventually.TrueAsync(() => PlatformServices.QueryAsync(Platform.Service, db => db.DirectoryContacts.IgnoreQueryFilters().AnyAsync(c => c.Id == id)),
                "Service knows the organization");
            return id;
        }
        var acme = await OrganizationAsync("Acme");
        var initech = await OrganizationAsync("Initech");
        var person = (await contacts.PostJsonAsync("/api/v1/people", Api.NewPerson()).CreatedAsync()).Id();

        async Task<JsonElement> ApplicableAsync(Guid? organizationId, string at) =>
            (await admin.GetJsonAsync($"/api/v1/service-contracts/applicable-policy?{(organizationId is null ? "" : $"organizationId={organizationId}&")}at={at}")).Body;

        Assert.Equal("none", (await ApplicableAsync(acme, "2026-06-01T10:00:00Z")).Str("source"));
        var standard = await admin.PostJsonAsync("/api/v1/sla-policies", PolicyRequest("Standard")).CreatedAsync();
        var gold = await admin.PostJsonAsync("/api/v1/sla-policies", PolicyRequest("Gold", normalFirstResponse: 60)).CreatedAsync();

        var contract = new { name = "Acme Gold 2026", organizationId = acme, policyId = gold.Id(), validFrom = "2026-01-01", validTo = "2026-12-31" };
        var unknown = await admin.PostJsonAsync("/api/v1/service-contracts", contract with { organizationId = Guid.NewGuid() });
        unknown.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.NotEmpty(Errors(unknown, "organizationId"));
        (await admin.PostJsonAsync("/api/v1/service-contracts", contract with { organizationId = person })).AssertProblem(HttpStatusCode.UnprocessableEntity);
        var noPolicy = await admin.PostJsonAsync("/api/v1/service-contracts", contract with { policyId = Guid.NewGuid() });
        noPolicy.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.NotEmpty(Errors(noPolicy, "policyId"));
        var backwards = await admin.PostJsonAsync("/api/v1/service-contracts", contract with { validTo = "2025-12-31" });
        backwards.AssertProblem(HttpStatusCode.BadRequest);
        Assert.NotEmpty(Errors(backwards, "validTo"));

        var acmeGold = await admin.PostJsonAsync("/api/v1/service-contracts", contract).CreatedAsync();
        var overlapping = await admin.PostJsonAsync("/api/v1/service-contracts", new { name = "Acme renewal", organizationId = acme, policyId = gold.Id(), validFrom = "2026-12-01" });
        overlapping.AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal(acmeGold.Id(), overlapping.Body.GetProperty("contractId").GetGuid());

        var valid = await ApplicableAsync(acme, "2026-06-01T10:00:00Z");
        Assert.Equal(("contract", gold.Id(), acmeGold.Id()), (valid.Str("source"), valid.GetProperty("policyId").GetGuid(), valid.GetProperty("contractId").GetGuid()));
        Assert.Contains("Acme Gold 2026", valid.Str("reason"));
        // The last day of the window still counts; the day after, the contract has expired.
        Assert.Equal("contract", (await ApplicableAsync(acme, "2026-12-31T23:30:00Z")).Str("source"));
        var expired = await ApplicableAsync(acme, "2027-01-01T00:30:00Z");
        Assert.Equal(("tenant-default", standard.Id()), (expired.Str("source"), expired.GetProperty("policyId").GetGuid()));
        Assert.Contains("None of the organization's service contracts is valid", expired.Str("reason"));
        var none = await ApplicableAsync(initech, "2026-06-01T10:00:00Z");
        Assert.Equal(("tenant-default", standard.Id()), (none.Str("source"), none.GetProperty("policyId").GetGuid()));
        Assert.Contains("no service contract", none.Str("reason"));
        Assert.Equal("tenant-default", (await ApplicableAsync(null, "2026-06-01T10:00:00Z")).Str("source"));

        // A policy a contract names stays.
        (await admin.DeleteJsonAsync($"/api/v1/sla-policies/{gold.Id()}", Api.AnyVersion)).AssertProblem(HttpStatusCode.Conflict);
        var renewed = await admin.PutJsonAsync($"/api/v1/service-contracts/{acmeGold.Id()}", contract with { validTo = "2027-12-31" }, acmeGold.ETag());
        Assert.Equal(HttpStatusCode.OK, renewed.Status);
        Assert.Equal("contract", (await ApplicableAsync(acme, "2027-01-01T00:30:00Z")).Str("source"));
        Assert.Single((await admin.GetJsonAsync($"/api/v1/service-contracts?filter[organizationId]={acme}")).Items());
    }
}
