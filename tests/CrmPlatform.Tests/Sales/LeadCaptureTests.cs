using System.Net;
using System.Text.Json;
using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.Sales.Leads;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Gdpr;
using CrmPlatform.Tests.Infrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmPlatform.Tests.Sales;

/// <summary>
/// Leads from Marketing's web forms (<see cref="FormSubmitted"/> published on the real broker), a lead's timeline of
/// activities and tasks, and a lead's personal data in GDPR access and erasure requests.
/// </summary>
public sealed class LeadCaptureTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _sales = fixture.Platform.ClientFor(fixture.Platform.Sales);
    private PlatformServices Platform => fixture.Platform;

    private Task PublishAsync(FormSubmitted submitted, Guid messageId) =>
        Platform.Contacts.Services.GetRequiredService<IBus>().Publish(submitted, context => context.MessageId = messageId);

    private static FormSubmitted Submission(Guid submissionId, string? email, string? phone = null, bool createLead = true, Guid? tenant = null,
        Guid? campaignId = null, string? lastName = "Franklin", string? country = "gb") => new(
        Guid.NewGuid(), DateTime.UtcNow, tenant ?? TenantContext.DefaultTenantId, submissionId, 1, Guid.NewGuid(), campaignId,
        new FormSubmission("Rosalind", lastName, email, phone, "King's College", country, "Researcher", "crm-pro", "Please call me about a demo.", true),
        createLead);

    private static Task<List<Lead>> LeadsFromAsync(PlatformServices platform, Guid submissionId, Guid? tenant = null) =>
        PlatformServices.QueryAsync(platform.Sales, db => db.Leads.IgnoreQueryFilters().AsNoTracking()
            .Where(l => l.Source == "web-form" && l.SourceReference == submissionId.ToString() && (tenant == null || l.TenantId == tenant)).ToListAsync());

    [Fact]
    public async Task A_form_submission_becomes_one_lead_however_often_it_is_delivered_or_published()
    {
        var submissionId = Guid.NewGuid();
        var campaign = Guid.NewGuid();
        var email = $"Rosalind.{Guid.NewGuid():N}@example.com";
        var messageId = Guid.NewGuid();
        await PublishAsync(Submission(submissionId, email, campaignId: campaign), messageId);
        await PublishAsync(Submission(submissionId, email, campaignId: campaign), messageId);
        var leads = await Eventually.ReturnsAsync(() => LeadsFromAsync(Platform, submissionId), l => l.Count > 0, "the submission's lead is captured");
        // The same submission published again under another message id is still the same lead.
        await PublishAsync(Submission(submissionId, email, campaignId: campaign), Guid.NewGuid());
        // A marker after it: once the marker's lead is there, the repeats have been handled.
        var marker = Guid.NewGuid();
        await PublishAsync(Submission(marker, $"marker.{Guid.NewGuid():N}@example.com"), Guid.NewGuid());
        await Eventually.TrueAsync(async () => (await LeadsFromAsync(Platform, marker)).Count == 1, "the marker's lead is captured");
        await Task.Delay(500);

        var lead = Assert.Single(await LeadsFromAsync(Platform, submissionId));
        Assert.Equal((email.ToLowerInvariant(), "Franklin", "GB", campaign, "new", TenantContext.DefaultTenantId),
            (lead.Email, lead.LastName, lead.Country, lead.CampaignId, lead.Status, lead.TenantId));
        Assert.Equal(["crm-pro"], lead.ProductInterests);
        Assert.Equal("Please call me about a demo.", lead.Description);
        var created = await Eventually.ReturnsAsync(() => PlatformServices.QueryAsync(Platform.Sales, async db =>
                (await db.OutboxMessages.AsNoTracking().Where(m => m.EventType == typeof(LeadCreated).FullName).ToListAsync())
                .Select(m => m.ToEvent()).Where(e => e.AggregateId == lead.Id).ToList()),
            events => events.Count > 0, "LeadCreated is raised");
        Assert.Equal("web-form", ((LeadCreated)Assert.Single(created)).Lead.Source);
    }

    [Fact]
    public async Task Submissions_not_asking_for_a_lead_or_without_a_way_to_reach_anyone_make_none_and_bad_fields_are_set_aside()
    {
        var newsletter = Guid.NewGuid();
        var unreachable = Guid.NewGuid();
        var sloppy = Guid.NewGuid();
        var otherTenant = Guid.NewGuid();
        var foreign = Guid.NewGuid();
        await PublishAsync(Submission(newsletter, $"n.{Guid.NewGuid():N}@example.com", createLead: false), Guid.NewGuid());
        await PublishAsync(Submission(unreachable, "not an email"), Guid.NewGuid());
        await PublishAsync(Submission(sloppy, "still not an email", phone: "+44 20 7946 0123", lastName: null, country: "England"), Guid.NewGuid());
        await PublishAsync(Submission(foreign, $"f.{Guid.NewGuid():N}@example.com", tenant: otherTenant), Guid.NewGuid());

        var kept = Assert.Single(await Eventually.ReturnsAsync(() => LeadsFromAsync(Platform, sloppy), l => l.Count > 0, "the sloppy submission's lead"));
        Assert.Equal((null, "+44 20 7946 0123", null, "Rosalind"), (kept.Email, kept.Phone, kept.Country, kept.LastName));
        Assert.Contains("email: still not an email", kept.Description);
        Assert.Contains("country: England", kept.Description);

        var foreignLead = Assert.Single(await Eventually.ReturnsAsync(() => LeadsFromAsync(Platform, foreign), l => l.Count > 0, "the other tenant's lead"));
        Assert.Equal(otherTenant, foreignLead.TenantId);
        (await _sales.GetJsonAsync($"/api/v1/leads/{foreignLead.Id}")).AssertProblem(HttpStatusCode.NotFound);

        Assert.Empty(await LeadsFromAsync(Platform, newsletter));
        Assert.Empty(await LeadsFromAsync(Platform, unreachable));
    }

    [Fact]
    public async Task Activities_and_tasks_link_to_a_lead_and_make_its_timeline_in_its_record_scope()
    {
        var rep = Guid.NewGuid().ToString();
        var repSales = Platform.ClientFor(Platform.Sales, await Platform.Identity.SignedTokenAsync(rep, TenantContext.DefaultTenantId, Roles.SalesRep));
        var lead = await repSales.PostJsonAsync("/api/v1/leads", LeadsApiTests.LeadBody()).CreatedAsync();
        var call = await repSales.PostJsonAsync("/api/v1/activities",
            new { kind = "call", subject = "First call", occurredAt = DateTime.UtcNow.AddHours(-1), durationMinutes = 10, leadId = lead.Id() }).CreatedAsync();
        Assert.Equal(lead.Id(), call.GetProperty("leadId").GetGuid());
        var task = await repSales.PostJsonAsync("/api/v1/tasks", new { subject = "Send the brochure", dueAt = DateTime.UtcNow.AddDays(1), leadId = lead.Id() }).CreatedAsync();

        var timeline = await repSales.GetJsonAsync($"/api/v1/timeline?leadId={lead.Id()}");
        Assert.Equal([task.Id(), call.Id()], timeline.Items().Select(i => i.Id()));
        Assert.Equal([call.Id()], (await repSales.GetJsonAsync($"/api/v1/activities?filter[leadId]={lead.Id()}")).Items().Select(i => i.Id()));
        Assert.Equal([task.Id()], (await repSales.GetJsonAsync($"/api/v1/tasks?filter[leadId]={lead.Id()}")).Items().Select(i => i.Id()));
        var logged = await Eventually.ReturnsAsync(() => PlatformServices.QueryAsync(Platform.Sales, async db =>
                (await db.OutboxMessages.AsNoTracking().Where(m => m.EventType == typeof(ActivityLogged).FullName).ToListAsync())
                .Select(m => (ActivityLogged)m.ToEvent()).Where(e => e.AggregateId == call.Id()).ToList()),
            events => events.Count > 0, "ActivityLogged is raised");
        Assert.Equal(lead.Id(), Assert.Single(logged).LeadId);

        // A lead nobody knows, or one outside the caller's record scope, cannot be linked; an outsider's timeline is empty.
        var unknown = await repSales.PostJsonAsync("/api/v1/activities", new { kind = "note", subject = "x", occurredAt = DateTime.UtcNow, leadId = Guid.NewGuid() });
        unknown.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.True(unknown.Body.GetProperty("errors").TryGetProperty("leadId", out _));
        var outsider = Platform.ClientFor(Platform.Sales, await Platform.Identity.SignedTokenAsync(Guid.NewGuid().ToString(), TenantContext.DefaultTenantId, Roles.SalesRep));
        (await outsider.PostJsonAsync("/api/v1/tasks", new { subject = "Steal", dueAt = DateTime.UtcNow, leadId = lead.Id() })).AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Empty((await outsider.GetJsonAsync($"/api/v1/timeline?leadId={lead.Id()}")).Items());
        (await repSales.GetJsonAsync($"/api/v1/timeline?leadId={lead.Id()}&opportunityId={Guid.NewGuid()}")).AssertProblem(HttpStatusCode.BadRequest);

        // Deleting the lead keeps the history, unlinked.
        Assert.Equal(HttpStatusCode.NoContent, (await _sales.DeleteJsonAsync($"/api/v1/leads/{lead.Id()}", Api.AnyVersion)).Status);
        var kept = (await repSales.GetJsonAsync($"/api/v1/activities/{call.Id()}")).Body;
        Assert.Equal(JsonValueKind.Null, kept.GetProperty("leadId").ValueKind);
    }

    [Fact]
    public async Task An_access_request_exports_the_persons_leads_and_an_erasure_removes_who_they_were()
    {
        var steps = new GdprSteps(Platform);
        var email = $"katherine.{Guid.NewGuid():N}@example.com";
        var person = (await steps.Contacts.PostJsonAsync("/api/v1/people", Api.NewPerson(email: email, firstName: "Katherine", lastName: "Johnson"))).Body.Id();
        await Eventually.TrueAsync(async () => await PlatformServices.DirectoryEntryAsync(Platform.Sales, person) is not null, "Sales knows the person");
        var lead = await _sales.PostJsonAsync("/api/v1/leads", new
        {
            firstName = "Katherine", lastName = "Johnson", email = email.ToUpperInvariant(), phone = "+1 757 555 0100", company = "NASA Langley",
            country = "US", description = "Computes trajectories by hand",
        }).CreatedAsync();
        var note = await _sales.PostJsonAsync("/api/v1/activities",
            new { kind = "note", subject = "Katherine's private number", body = "Ask for her at home", occurredAt = DateTime.UtcNow, leadId = lead.Id() }).CreatedAsync();
        var unrelated = await _sales.PostJsonAsync("/api/v1/leads", LeadsApiTests.LeadBody()).CreatedAsync();

        var access = await steps.CompletedRequestAsync(person, "access");
        var export = await steps.Contacts.GetJsonAsync($"{GdprSteps.RequestsUrl}/{access.Id()}/export");
        var leads = export.Body.GetProperty("services").GetProperty("sales").GetProperty("data").GetProperty("leads").EnumerateArray().ToList();
        Assert.Equal(("Computes trajectories by hand", "+1 757 555 0100"), (Assert.Single(leads).Str("description"), leads[0].Str("phone")));

        await steps.CompletedRequestAsync(person, "erasure");
        var erased = (await _sales.GetJsonAsync($"/api/v1/leads/{lead.Id()}")).Body;
        Assert.Equal(("[erased]", JsonValueKind.Null, JsonValueKind.Null, JsonValueKind.Null, "NASA Langley", "US"),
            (erased.Str("lastName"), erased.GetProperty("email").ValueKind, erased.GetProperty("phone").ValueKind, erased.GetProperty("description").ValueKind,
                erased.Str("company"), erased.Str("country")));
        Assert.Equal("(erased)", (await _sales.GetJsonAsync($"/api/v1/activities/{note.Id()}")).Body.Str("subject"));
        Assert.Equal("Turing", (await _sales.GetJsonAsync($"/api/v1/leads/{unrelated.Id()}")).Body.Str("lastName"));
        var audit = await _sales.GetJsonAsync($"/api/v1/audit?entityId={lead.Id()}");
        Assert.Equal(HttpStatusCode.OK, audit.Status);
        Assert.DoesNotContain("trajectories", audit.Body.GetRawText());
        Assert.DoesNotContain(email, audit.Body.GetRawText(), StringComparison.OrdinalIgnoreCase);
    }
}
