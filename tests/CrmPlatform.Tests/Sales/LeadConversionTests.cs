using System.Net;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.Sales.Leads;
using CrmPlatform.Sales.Leads.Conversion;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Identity;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static CrmPlatform.Tests.Sales.LeadConversionTestData;
using static CrmPlatform.Tests.Sales.PipelineTestData;

namespace CrmPlatform.Tests.Sales;

/// <summary>
/// Converting a lead through Sales and Contacts on real PostgreSQL and RabbitMQ: what it makes or reuses, what it
/// refuses, who may do it. What happens when a service or the broker stops midway: <see cref="LeadConversionCrashTests"/>.
/// </summary>
public sealed class LeadConversionTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;
    private readonly HttpClient _sales = fixture.Platform.ClientFor(fixture.Platform.Sales);
    private readonly HttpClient _contacts = fixture.Platform.ClientFor(fixture.Platform.Contacts);

    private Task<string> TokenAsync(string subject, string role, Guid? tenant = null) =>
        Platform.Identity.SignedTokenAsync(subject, tenant ?? TenantContext.DefaultTenantId, role);

    [Fact]
    public async Task A_lead_becomes_a_new_person_organization_and_opportunity_once_and_keeps_links_to_them()
    {
        var email = NewEmail();
        var company = $"Initech {Guid.NewGuid():N}";
        var lead = await LeadAsync(Platform.Sales, email: email, company: company, domain: $"{Guid.NewGuid():N}.example");

        var converted = await ConvertAsync(_sales, lead.Id, new { opportunity = new { amount = 1200.50m, currency = "USD", expectedCloseDate = "2027-03-31" } });

        Assert.True(converted.Status == HttpStatusCode.OK, converted.Body.ToString());
        Assert.Equal($"/api/v1/leads/{lead.Id}/conversion", converted.Response.Content.Headers.ContentLocation?.ToString());
        var conversion = converted.Body;
        Assert.Equal("completed", conversion.Str("state"));
        Assert.True(conversion.GetProperty("personCreated").GetBoolean());
        Assert.True(conversion.GetProperty("organizationCreated").GetBoolean());
        var personId = conversion.GetProperty("personId").GetGuid();
        var organizationId = conversion.GetProperty("organizationId").GetGuid();
        var opportunityId = conversion.GetProperty("opportunityId").GetGuid();

        var stored = await StoredLeadAsync(Platform.Sales, lead.Id);
        Assert.Equal(LeadStatuses.Converted, stored.Status);
        Assert.Equal((personId, organizationId, opportunityId), (stored.ConvertedPersonId!.Value, stored.ConvertedOrganizationId!.Value, stored.ConvertedOpportunityId!.Value));
        Assert.NotNull(stored.ConvertedAt);

        var person = (await _contacts.GetJsonAsync($"/api/v1/people/{personId}")).Body;
        Assert.Equal(email, person.Str("email"));
        Assert.Equal(("Grace", "Hopper", "Head of IT"), (person.Str("firstName"), person.Str("lastName"), person.Str("jobTitle")));
        Assert.Equal(organizationId, person.GetProperty("organizationId").GetGuid());
        Assert.Equal(company, (await _contacts.GetJsonAsync($"/api/v1/organizations/{organizationId}")).Body.Str("name"));
        Assert.Equal(1, await PlatformServices.QueryAsync(Platform.Contacts,
            db => db.Affiliations.CountAsync(a => a.PersonId == personId && a.OrganizationId == organizationId)));

        var opportunity = await _sales.GetJsonAsync($"/api/v1/opportunities/{opportunityId}");
        Assert.Equal(HttpStatusCode.OK, opportunity.Status);
        Assert.Equal((company, 1200.50m, "USD"), (opportunity.Body.Str("name"), opportunity.Body.GetProperty("amount").GetDecimal(), opportunity.Body.Str("currency")));
        Assert.Equal(organizationId, opportunity.Body.GetProperty("customer").Id());
        Assert.Equal("2027-03-31", opportunity.Body.Str("expectedCloseDate"));

        // The conversion stays readable, and converting again is refused.
        var read = await _sales.GetJsonAsync($"/api/v1/leads/{lead.Id}/conversion");
        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.Equal((conversion.Id(), "completed"), (read.Body.Id(), read.Body.Str("state")));
        (await ConvertAsync(_sales, lead.Id)).AssertProblem(HttpStatusCode.Conflict);

        // Each record was announced once, by its owner, for the tenant.
        var leadConverted = Assert.Single(await OutboxEventsAsync<CrmPlatform.Sales.Data.SalesDbContext, LeadConverted>(Platform.Sales, e => e.AggregateId == lead.Id));
        Assert.Equal((personId, organizationId, opportunityId, TenantContext.DefaultTenantId), (leadConverted.PersonId, leadConverted.OrganizationId, leadConverted.OpportunityId, leadConverted.TenantId));
        Assert.Equal(stored.Version, leadConverted.Version);
        Assert.Single(await OutboxEventsAsync<CrmPlatform.Sales.Data.SalesDbContext, CrmPlatform.Contracts.Sales.V1.OpportunityCreated>(Platform.Sales, e => e.AggregateId == opportunityId));
        Assert.Single(await OutboxEventsAsync<CrmPlatform.Contacts.Data.ContactsDbContext, PersonCreated>(Platform.Contacts, e => e.AggregateId == personId));
        Assert.Single(await OutboxEventsAsync<CrmPlatform.Contacts.Data.ContactsDbContext, OrganizationCreated>(Platform.Contacts, e => e.AggregateId == organizationId));
        Assert.Equal(1, await PeopleWithEmailAsync(Platform.Contacts, email));
    }

    [Fact]
    public async Task Without_waiting_the_answer_is_202_with_where_to_follow_the_conversion()
    {
        var lead = await LeadAsync(Platform.Sales, company: null);

        var accepted = await ConvertAsync(_sales, lead.Id, new { createOpportunity = false }, waitSeconds: null);

        Assert.Equal(HttpStatusCode.Accepted, accepted.Status);
        Assert.Equal($"/api/v1/leads/{lead.Id}/conversion", accepted.Response.Headers.Location?.ToString());
        Assert.Equal("requested", accepted.Body.Str("state"));
        var done = await Eventually.ReturnsAsync(() => _sales.GetJsonAsync($"/api/v1/leads/{lead.Id}/conversion"),
            a => a.Body.Str("state") != "requested", "the conversion finishes");
        Assert.Equal("completed", done.Body.Str("state"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, JsonValueKind(done, "organizationId"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, JsonValueKind(done, "opportunityId"));
        var stored = await StoredLeadAsync(Platform.Sales, lead.Id);
        Assert.Equal((LeadStatuses.Converted, (Guid?)null), (stored.Status, stored.ConvertedOpportunityId));
        Assert.Equal(0, await OpportunitiesOfAsync(Platform.Sales, lead.Id));
    }

    private static System.Text.Json.JsonValueKind JsonValueKind(ApiAnswer answer, string property) => answer.Body.GetProperty(property).ValueKind;

    [Fact]
    public async Task Existing_records_are_reused_by_id_or_found_by_the_leads_email_and_domain()
    {
        var domain = $"{Guid.NewGuid():N}.example";
        var organization = await _contacts.PostJsonAsync("/api/v1/organizations", new { name = $"Globex {Guid.NewGuid():N}", domain }).CreatedAsync();
        var email = NewEmail();
        var person = await _contacts.PostJsonAsync("/api/v1/people", Api.NewPerson(email: email)).CreatedAsync();

        // Found: the lead's email (in other case) and its company's domain.
        var lead = await LeadAsync(Platform.Sales, email: email.ToUpperInvariant(), company: "Globex under another name", domain: domain.ToUpperInvariant());
        var found = (await ConvertAsync(_sales, lead.Id)).Body;
        Assert.Equal("completed", found.Str("state"));
        Assert.Equal((person.Id(), false), (found.GetProperty("personId").GetGuid(), found.GetProperty("personCreated").GetBoolean()));
        Assert.Equal((organization.Id(), false), (found.GetProperty("organizationId").GetGuid(), found.GetProperty("organizationCreated").GetBoolean()));
        Assert.Equal(1, await PeopleWithEmailAsync(Platform.Contacts, email));
        Assert.Equal(0, await OrganizationsNamedAsync(Platform.Contacts, "Globex under another name"));
        Assert.Empty(await OutboxEventsAsync<CrmPlatform.Contacts.Data.ContactsDbContext, PersonCreated>(Platform.Contacts, e => e.Person.Email == email.ToUpperInvariant()));

        // Named: the records given, whatever the lead says.
        var other = await LeadAsync(Platform.Sales);
        var named = (await ConvertAsync(_sales, other.Id, new { personId = person.Id(), organizationId = organization.Id(), createOpportunity = false })).Body;
        Assert.Equal("completed", named.Str("state"));
        Assert.Equal((person.Id(), organization.Id()), (named.GetProperty("personId").GetGuid(), named.GetProperty("organizationId").GetGuid()));
        Assert.Equal(0, await PeopleWithEmailAsync(Platform.Contacts, other.Email!));
    }

    [Fact]
    public async Task A_record_to_reuse_that_is_missing_fails_the_conversion_and_leaves_the_lead_as_it_was()
    {
        var lead = await LeadAsync(Platform.Sales);
        var missing = Guid.CreateVersion7();

        var failed = (await ConvertAsync(_sales, lead.Id, new { personId = missing })).Body;

        Assert.Equal("failed", failed.Str("state"));
        Assert.Contains(missing.ToString(), failed.GetProperty("problem").GetProperty("errors").GetProperty("personId")[0].GetString());
        var stored = await StoredLeadAsync(Platform.Sales, lead.Id);
        Assert.Equal((LeadStatuses.Qualified, (Guid?)null, (Guid?)null), (stored.Status, stored.ConvertedPersonId, stored.ConvertedOpportunityId));
        Assert.Equal(0, await OpportunitiesOfAsync(Platform.Sales, lead.Id));
        Assert.Equal(0, await PeopleWithEmailAsync(Platform.Contacts, lead.Email!));
        Assert.Equal("failed", (await _sales.GetJsonAsync($"/api/v1/leads/{lead.Id}/conversion")).Body.Str("state"));

        // A failed conversion does not block the next one.
        var retried = (await ConvertAsync(_sales, lead.Id)).Body;
        Assert.Equal("completed", retried.Str("state"));
        Assert.Equal(1, await OpportunitiesOfAsync(Platform.Sales, lead.Id));
        Assert.Equal(2, (await ConversionsAsync(Platform.Sales, lead.Id)).Count);
    }

    [Fact]
    public async Task A_lead_being_converted_is_neither_changed_nor_deleted_until_its_conversion_ends()
    {
        var lead = await LeadAsync(Platform.Sales);
        // A conversion whose answer from Contacts has not come yet, as step 1 leaves it.
        await PlatformServices.QueryAsync(Platform.Sales, async db =>
        {
            db.Set<LeadConversion>().Add(new LeadConversion { LeadId = lead.Id, RequestedBy = "someone", CreateOpportunity = true });
            return await db.SaveChangesAsync();
        });
        var url = $"/api/v1/leads/{lead.Id}";

        (await _sales.PutJsonAsync($"{url}/status", new { status = "disqualified", disqualificationReason = "no budget" }, Api.AnyVersion))
            .AssertProblem(HttpStatusCode.Conflict);
        (await _sales.DeleteJsonAsync(url, Api.AnyVersion)).AssertProblem(HttpStatusCode.Conflict);
        (await ConvertAsync(_sales, lead.Id)).AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal(LeadStatuses.Qualified, (await StoredLeadAsync(Platform.Sales, lead.Id)).Status);

        await PlatformServices.QueryAsync(Platform.Sales, db => db.Set<LeadConversion>().Where(c => c.LeadId == lead.Id)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.State, LeadConversionStates.Failed)));
        Assert.Equal(HttpStatusCode.OK,
            (await _sales.PutJsonAsync($"{url}/status", new { status = "disqualified", disqualificationReason = "no budget" }, Api.AnyVersion)).Status);
    }

    [Fact]
    public async Task Bad_requests_are_problems_and_start_nothing()
    {
        (await ConvertAsync(_sales, Guid.CreateVersion7())).AssertProblem(HttpStatusCode.NotFound);
        var disqualified = await LeadAsync(Platform.Sales, status: LeadStatuses.Disqualified);
        (await ConvertAsync(_sales, disqualified.Id)).AssertProblem(HttpStatusCode.Conflict);

        var lead = await LeadAsync(Platform.Sales);
        var invalid = await ConvertAsync(_sales, lead.Id, new { opportunity = new { amount = -1.001m, currency = "euro", name = " " } });
        invalid.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(["opportunity.amount", "opportunity.currency", "opportunity.name"], invalid.ErrorFields().Order());
        (await ConvertAsync(_sales, lead.Id, new { opportunity = new { pipelineId = Guid.CreateVersion7() } })).AssertProblem(HttpStatusCode.UnprocessableEntity);
        var unknownStage = await ConvertAsync(_sales, lead.Id, new { opportunity = new { stage = "nowhere" } });
        Assert.Equal(["opportunity.stage"], unknownStage.ErrorFields());
        Assert.Equal(["opportunity.stage"], (await ConvertAsync(_sales, lead.Id, new { opportunity = new { stage = "closed-won" } })).ErrorFields());
        (await ConvertAsync(_sales, lead.Id, ifMatch: "\"999\"")).AssertProblem(HttpStatusCode.PreconditionFailed);
        var noEmail = await LeadAsync(Platform.Sales, withoutEmail: true);
        Assert.Equal(["personId"], (await ConvertAsync(_sales, noEmail.Id)).ErrorFields());

        foreach (var id in new[] { disqualified.Id, lead.Id, noEmail.Id })
        {
            Assert.Empty(await ConversionsAsync(Platform.Sales, id));
            Assert.Empty(await OutboxEventsAsync<CrmPlatform.Sales.Data.SalesDbContext, LeadConversionRequested>(Platform.Sales, e => e.LeadId == id));
        }

        // The right version goes through.
        Assert.Equal(HttpStatusCode.OK, (await ConvertAsync(_sales, lead.Id, ifMatch: $"\"{lead.Version}\"")).Status);
    }

    [Fact]
    public async Task Only_those_who_see_the_lead_convert_it_and_tenants_never_meet()
    {
        var admin = Platform.ClientFor(Platform.Identity.Factory);
        var owner = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        var outsider = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        var lead = await LeadAsync(Platform.Sales, ownerId: owner.Id.ToString());
        var url = $"/api/v1/leads/{lead.Id}/conversion";

        var outsiderSales = Platform.ClientFor(Platform.Sales, await TokenAsync(outsider.Id.ToString(), Roles.SalesRep));
        (await ConvertAsync(outsiderSales, lead.Id)).AssertProblem(HttpStatusCode.NotFound);
        (await ConvertAsync(Platform.ClientFor(Platform.Sales, await TokenAsync(outsider.Id.ToString(), Roles.ReadOnly)), lead.Id)).AssertProblem(HttpStatusCode.Forbidden);
        var otherTenant = Platform.ClientFor(Platform.Sales, await TokenAsync(Guid.NewGuid().ToString(), Roles.Admin, Guid.NewGuid()));
        (await ConvertAsync(otherTenant, lead.Id)).AssertProblem(HttpStatusCode.NotFound);
        Assert.Empty(await ConversionsAsync(Platform.Sales, lead.Id));

        var ownerSales = Platform.ClientFor(Platform.Sales, await TokenAsync(owner.Id.ToString(), Roles.SalesRep));
        var converted = (await ConvertAsync(ownerSales, lead.Id)).Body;
        Assert.Equal("completed", converted.Str("state"));
        Assert.Equal(owner.Id.ToString(), converted.Str("requestedBy"));
        // What the conversion made belongs to the lead's owner, so the rep sees it.
        var opportunity = await ownerSales.GetJsonAsync($"/api/v1/opportunities/{converted.GetProperty("opportunityId").GetGuid()}");
        Assert.Equal(HttpStatusCode.OK, opportunity.Status);
        Assert.Equal(owner.Id.ToString(), opportunity.Body.Str("ownerId"));
        var person = await Platform.ClientFor(Platform.Contacts, await TokenAsync(owner.Id.ToString(), Roles.SalesRep))
            .GetJsonAsync($"/api/v1/people/{converted.GetProperty("personId").GetGuid()}");
        Assert.Equal(owner.Id.ToString(), person.Body.Str("ownerId"));

        (await outsiderSales.GetJsonAsync(url)).AssertProblem(HttpStatusCode.NotFound);
        (await otherTenant.GetJsonAsync(url)).AssertProblem(HttpStatusCode.NotFound);

        // Another tenant's lead converts into that tenant's records only.
        var tenant = Guid.NewGuid();
        var foreignLead = await LeadAsync(Platform.Sales, email: lead.Email, tenantId: tenant);
        var foreign = (await ConvertAsync(Platform.ClientFor(Platform.Sales, await TokenAsync("someone", Roles.Admin, tenant)), foreignLead.Id)).Body;
        Assert.Equal("completed", foreign.Str("state"));
        Assert.True(foreign.GetProperty("personCreated").GetBoolean());
        Assert.NotEqual(converted.GetProperty("personId").GetGuid(), foreign.GetProperty("personId").GetGuid());
        Assert.Equal(2, await PeopleWithEmailAsync(Platform.Contacts, lead.Email!));
        var events = await OutboxEventsAsync<CrmPlatform.Sales.Data.SalesDbContext, LeadConverted>(Platform.Sales, e => e.AggregateId == foreignLead.Id || e.AggregateId == lead.Id);
        Assert.Equal([TenantContext.DefaultTenantId, tenant], events.Select(e => e.TenantId));
    }
}
