using System.Net;
using System.Text.Json;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static CrmPlatform.Tests.Consents.ConsentStatements;
using static CrmPlatform.Tests.Duplicates.DuplicateData;

namespace CrmPlatform.Tests.Gdpr;

/// <summary>
/// Data subject requests across the four domain services and Integrations on real PostgreSQL and RabbitMQ: access (one
/// export with every service's data), erasure (anonymized everywhere, confirmed by every service), restriction and objection (honoured by
/// Marketing and Sales), permissions and tenant isolation.
/// </summary>
public sealed class GdprRequestTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;
    private readonly GdprSteps _steps = new(fixture.Platform);

    private static readonly string[] AllServices = ["contacts", "sales", "marketing", "service", "integrations"];

    [Fact]
    public async Task An_access_request_exports_one_document_with_the_data_of_every_service_integrations_event_log_included()
    {
        var person = await _steps.PersonEverywhereAsync("Katherine", "Johnson");
        await _steps.OpportunityAsync(person, "Katherine's trajectory study");
        await LoggedByIntegrationsAsync(person);

        var created = await _steps.RequestAsync(person, "access");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("in-progress", created.Body.Str("status"));
        Assert.Equal(AllServices, created.Body.GetProperty("pendingServices").EnumerateArray().Select(s => s.GetString()));
        var request = await _steps.CompletedAsync(created.Body.Id());
        Assert.All(request.GetProperty("services").EnumerateArray(), s => Assert.True(s.GetProperty("answered").GetBoolean()));

        var export = await _steps.Contacts.GetJsonAsync($"{GdprSteps.RequestsUrl}/{request.Id()}/export");
        Assert.Equal(HttpStatusCode.OK, export.Status);
        Assert.Equal(1, export.Body.GetProperty("schemaVersion").GetInt32());
        Assert.False(string.IsNullOrEmpty(export.Body.Str("schema")));
        Assert.Equal(person, export.Body.GetProperty("personId").GetGuid());
        var services = export.Body.GetProperty("services");
        Assert.Equal(AllServices, services.EnumerateObject().Select(p => p.Name));

        var contactsData = services.GetProperty("contacts").GetProperty("data");
        var contacts = contactsData.GetProperty("contacts");
        Assert.Equal("Katherine", contacts.GetProperty("person").GetProperty("record").Str("firstName"));
        var evidence = contacts.GetProperty("consentHistory")[0].GetProperty("evidence");
        Assert.Equal("203.0.113.7", evidence.Str("ipAddress"));
        Assert.Contains(contactsData.GetProperty("auditEntries").EnumerateArray(), e => e.Str("action") == "created");

        var sales = services.GetProperty("sales").GetProperty("data");
        Assert.Equal("Katherine's trajectory study", sales.GetProperty("opportunities")[0].Str("name"));
        Assert.Equal(("proposal", JsonValueKind.Null), (sales.GetProperty("opportunities")[0].Str("stage"), sales.GetProperty("opportunities")[0].GetProperty("lostReason").ValueKind));
        Assert.Equal("Katherine Johnson", sales.GetProperty("contactDirectory").Str("displayName"));
        Assert.Contains(sales.GetProperty("auditEntries").EnumerateArray(), e => e.Str("entityType") == "opportunity");
        foreach (var subscriber in new[] { "marketing", "service" })
        {
            var data = services.GetProperty(subscriber).GetProperty("data");
            Assert.Equal("Katherine Johnson", data.GetProperty("contactDirectory").Str("displayName"));
            Assert.Equal("granted", data.GetProperty("consents")[0].Str("status"));
        }
        // Integrations keeps the events partners are sent (and replays): the person's are in the export.
        var eventLog = services.GetProperty("integrations").GetProperty("data").GetProperty("eventLog");
        var logged = Assert.Single(eventLog.EnumerateArray(), e => e.Str("type") == "Contacts.V1.PersonCreated");
        Assert.Equal("Katherine", logged.GetProperty("payload").GetProperty("person").Str("firstName"));
    }

    /// <summary>Integrations has logged the person's creation (its intake runs apart from the replicas the steps wait for).</summary>
    private Task LoggedByIntegrationsAsync(Guid person) => Eventually.TrueAsync(
        () => PlatformServices.QueryAsync(Platform.Integrations, db => db.EventLog.AnyAsync(e => e.PersonId == person)), "Integrations logged the person");

    [Fact]
    public async Task An_export_before_every_service_has_answered_is_a_409_naming_the_missing_ones()
    {
        var person = await _steps.PersonEverywhereAsync();
        // Marketing stops consuming, so its answer waits in its queue.
        var marketingBus = Platform.Marketing.Services.GetRequiredService<MassTransit.IBusControl>();
        await marketingBus.StopAsync();
        try
        {
            var created = await _steps.RequestAsync(person, "access");
            var partial = await Eventually.ReturnsAsync(() => _steps.Contacts.GetJsonAsync($"{GdprSteps.RequestsUrl}/{created.Body.Id()}"),
                a => a.Body.GetProperty("pendingServices").GetArrayLength() == 1, "three services answer");
            Assert.Equal("in-progress", partial.Body.Str("status"));
            Assert.Equal("marketing", partial.Body.GetProperty("pendingServices")[0].GetString());
            var export = await _steps.Contacts.GetJsonAsync($"{GdprSteps.RequestsUrl}/{created.Body.Id()}/export");
            export.AssertProblem(HttpStatusCode.Conflict);
            Assert.Equal("marketing", export.Body.GetProperty("pendingServices")[0].GetString());
        }
        finally
        {
            await marketingBus.StartAsync();
        }
    }

    [Fact]
    public async Task An_erasure_is_confirmed_by_every_service_integrations_included_and_leaves_no_personal_data_readable()
    {
        var person = await _steps.PersonEverywhereAsync("Dorothy", "Vaughan");
        var opportunity = await _steps.OpportunityAsync(person, "Dorothy's FORTRAN upgrade");
        var lost = await _steps.Sales.PutJsonAsync($"/api/v1/opportunities/{opportunity.Id()}/stage",
            new { stage = "closed-lost", lostReason = "Dorothy moved to another lab", competitor = "IBM" }, opportunity.ETag());
        Assert.Equal(HttpStatusCode.OK, lost.Status);
        await LoggedByIntegrationsAsync(person);

        var request = await _steps.CompletedRequestAsync(person, "erasure");
        var services = request.GetProperty("services").EnumerateArray().ToList();
        Assert.Equal(AllServices, services.Select(s => s.Str("service")));
        Assert.All(services, s => Assert.True(s.GetProperty("at").GetDateTime() >= request.GetProperty("requestedAt").GetDateTime()));
        Assert.Equal(1, services[1].GetProperty("erased").GetProperty("opportunities").GetInt32());

        // Contacts: placeholders on the record, identifying evidence gone from the consent history, consent withdrawn.
        var erased = await _steps.Contacts.GetJsonAsync($"/api/v1/people/{person}");
        Assert.Equal("[erased]", erased.Body.Str("firstName"));
        Assert.EndsWith("@erased.invalid", erased.Body.Str("email"));
        Assert.Equal(JsonValueKind.Null, erased.Body.GetProperty("phone").ValueKind);
        Assert.NotNull(erased.Body.GetProperty("erasedAt").GetString());
        (await _steps.Contacts.PutJsonAsync($"/api/v1/people/{person}", Api.NewPerson(firstName: "Dorothy"), Api.AnyVersion))
            .AssertProblem(HttpStatusCode.Conflict);
        var history = await _steps.Contacts.GetJsonAsync(HistoryUrl(person));
        Assert.All(history.Items(), r => Assert.Equal(JsonValueKind.Null, r.GetProperty("evidence").GetProperty("ipAddress").ValueKind));
        Assert.Equal("withdrawn", history.Items()[^1].Str("status"));
        await _steps.CanContactAsync(person, "withdrawn");

        // The audit logs keep who did what when, but no value that names the person; the erasure is itself recorded.
        var contactsAudit = await _steps.Contacts.GetJsonAsync($"/api/v1/audit?entityId={person}");
        Assert.DoesNotContain("Dorothy", contactsAudit.Body.GetRawText());
        Assert.DoesNotContain("203.0.113.7", contactsAudit.Body.GetRawText());
        Assert.Contains(contactsAudit.Items(), e => e.Str("action") == "personal-data-erased");
        var salesAudit = await _steps.Sales.GetJsonAsync($"/api/v1/audit?entityId={opportunity.Id()}");
        Assert.Equal("created", salesAudit.Items()[0].Str("action"));
        Assert.DoesNotContain("Dorothy", salesAudit.Body.GetRawText());

        // Sales keeps the figures, not the name; every replica holds placeholders.
        var kept = await _steps.Sales.GetJsonAsync($"/api/v1/opportunities/{opportunity.Id()}");
        Assert.Equal("[erased customer]", kept.Body.Str("name"));
        Assert.Equal(("[erased customer]", "IBM"), (kept.Body.Str("lostReason"), kept.Body.Str("competitor")));
        Assert.Equal(4200.00m, kept.Body.GetProperty("amount").GetDecimal());
        foreach (var entry in new Func<Task<DirectoryContact?>>[]
                 {
                     () => PlatformServices.DirectoryEntryAsync(Platform.Sales, person),
                     () => PlatformServices.DirectoryEntryAsync(Platform.Marketing, person),
                     () => PlatformServices.DirectoryEntryAsync(Platform.Service, person),
                 })
        {
            var contact = await Eventually.ReturnsAsync(entry, c => c!.Email?.EndsWith("@erased.invalid") != false, "the replica is anonymized");
            Assert.DoesNotContain("Dorothy", contact!.DisplayName);
        }

        // Integrations' event log, which deliveries and replays read, no longer names her (confirmed before completion).
        var logged = await PlatformServices.QueryAsync(Platform.Integrations, db => db.EventLog.AsNoTracking().Where(e => e.PersonId == person).ToListAsync());
        Assert.NotEmpty(logged);
        Assert.All(logged, e => Assert.NotNull(e.Redacted));
        Assert.All(logged, e => Assert.DoesNotContain("Dorothy", e.Payload));
    }

    [Fact]
    public async Task Erased_people_leave_the_duplicate_review_list_and_a_scan_never_pairs_them_again()
    {
        var (last, phone) = (NewName("Noether"), NewPhone());
        var a = (await _steps.Contacts.PostJsonAsync("/api/v1/people", Person("Emmy", last, phone: phone)).CreatedAsync()).Id();
        var b = (await _steps.Contacts.PostJsonAsync("/api/v1/people?allowDuplicates=true", Person("Emmy", last, phone: phone)).CreatedAsync()).Id();
        await Eventually.TrueAsync(async () => await PairAsync(_steps.Contacts, "person", a, b) is not null, "the pair is listed");

        await _steps.CompletedRequestAsync(a, "erasure");
        await _steps.CompletedRequestAsync(b, "erasure");
        Assert.Null(await PairAsync(_steps.Contacts, "person", a, b));

        // Their placeholders look alike; a scan (shown to have run by a pair of organizations it lists) ignores them.
        var name = NewName("Erased Ltd check");
        var c = (await _steps.Contacts.PostJsonAsync("/api/v1/organizations", new { name }).CreatedAsync()).Id();
        var d = (await _steps.Contacts.PostJsonAsync("/api/v1/organizations", new { name = $"{name} GmbH" }).CreatedAsync()).Id();
        await PlatformServices.QueryAsync(Platform.Contacts, db =>
            db.Database.ExecuteSqlAsync($"DELETE FROM duplicate_pairs WHERE record_id = ANY({new[] { c, d }}) OR other_id = ANY({new[] { c, d }})"));
        Assert.Equal(HttpStatusCode.Accepted, (await _steps.Contacts.PostJsonAsync("/api/v1/duplicates/scan", new { })).Status);
        await Eventually.TrueAsync(async () => await PairAsync(_steps.Contacts, "organization", c, d) is not null, "the scan ran");
        Assert.Null(await PairAsync(_steps.Contacts, "person", a, b));
    }

    [Fact]
    public async Task An_erased_or_restricted_person_cannot_be_merged()
    {
        async Task<ApiAnswer> MergeAsync(Guid survivor, Guid merged)
        {
            var current = await _steps.Contacts.GetJsonAsync($"/api/v1/people/{survivor}");
            return await _steps.Contacts.SendJsonAsync(HttpMethod.Post, "/api/v1/people/merge",
                new { survivorId = survivor, mergedIds = new[] { merged } }, current.Body.ETag());
        }
        var last = NewName("Lamarr");
        var erased = (await _steps.Contacts.PostJsonAsync("/api/v1/people?allowDuplicates=true", Person("Hedy", last)).CreatedAsync()).Id();
        var restricted = (await _steps.Contacts.PostJsonAsync("/api/v1/people?allowDuplicates=true", Person("Hedy", last)).CreatedAsync()).Id();
        var survivor = (await _steps.Contacts.PostJsonAsync("/api/v1/people?allowDuplicates=true", Person("Hedy", last)).CreatedAsync()).Id();
        await _steps.CompletedRequestAsync(erased, "erasure");
        Assert.Equal(HttpStatusCode.Created, (await _steps.RequestAsync(restricted, "restriction")).Status);

        var intoLive = await MergeAsync(survivor, erased);
        intoLive.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("erased", intoLive.Body.Str("detail"));
        var asSurvivor = await MergeAsync(restricted, survivor);
        asSurvivor.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.True(asSurvivor.Body.GetProperty("errors").TryGetProperty("survivorId", out _));

        await _steps.RequestAsync(restricted, "restriction-lifted");
        Assert.Equal(HttpStatusCode.Created, (await MergeAsync(survivor, restricted)).Status);
    }

    [Fact]
    public async Task A_persons_merges_are_in_their_export_and_an_erasure_empties_their_archive()
    {
        var last = NewName("Franklin");
        var survivor = (await _steps.Contacts.PostJsonAsync("/api/v1/people", Person("Rosalind", last)).CreatedAsync()).Id();
        var merged = (await _steps.Contacts.PostJsonAsync("/api/v1/people?allowDuplicates=true", Person("Rosie", last, phone: NewPhone())).CreatedAsync()).Id();
        var current = await _steps.Contacts.GetJsonAsync($"/api/v1/people/{survivor}");
        var merge = await _steps.Contacts.SendJsonAsync(HttpMethod.Post, "/api/v1/people/merge",
            new { survivorId = survivor, mergedIds = new[] { merged } }, current.Body.ETag());
        Assert.Equal(HttpStatusCode.Created, merge.Status);

        async Task<JsonElement> ExportedMergeAsync()
        {
            var request = await _steps.CompletedRequestAsync(survivor, "access");
            var export = await _steps.Contacts.GetJsonAsync($"{GdprSteps.RequestsUrl}/{request.Id()}/export");
            var merges = export.Body.GetProperty("services").GetProperty("contacts").GetProperty("data").GetProperty("contacts").GetProperty("merges");
            return Assert.Single(merges.EnumerateArray());
        }
        var before = await ExportedMergeAsync();
        Assert.Equal(merge.Body.Id(), before.Id());
        Assert.Contains("Rosie", before.GetProperty("recordsBefore").GetRawText());

        await _steps.CompletedRequestAsync(survivor, "erasure");
        var after = await ExportedMergeAsync();
        Assert.DoesNotContain("Rosie", after.GetProperty("recordsBefore").GetRawText());
        Assert.DoesNotContain(last, after.GetRawText());
        (await _steps.Contacts.PostJsonAsync($"/api/v1/merges/{merge.Body.Id()}/undo", new { })).AssertProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task An_objection_or_a_restriction_makes_marketing_say_no_and_a_restriction_stops_new_opportunities()
    {
        var person = await _steps.PersonEverywhereAsync();

        var objection = await _steps.RequestAsync(person, "objection");
        Assert.Equal((HttpStatusCode.Created, "completed"), (objection.Status, objection.Body.Str("status")));
        var objected = await _steps.CanContactAsync(person, "objected");
        Assert.False(objected.Body.GetProperty("allowed").GetBoolean());
        Assert.NotNull((await _steps.Contacts.GetJsonAsync($"/api/v1/people/{person}")).Body.GetProperty("directMarketingObjectionAt").GetString());

        await _steps.RequestAsync(person, "objection-withdrawn");
        Assert.True((await _steps.CanContactAsync(person, "granted")).Body.GetProperty("allowed").GetBoolean());

        await _steps.RequestAsync(person, "restriction");
        Assert.False((await _steps.CanContactAsync(person, "restricted")).Body.GetProperty("allowed").GetBoolean());
        await Eventually.TrueAsync(async () => (await PlatformServices.DirectoryEntryAsync(Platform.Sales, person))!.ProcessingRestricted,
            "Sales learns of the restriction");
        var refused = await _steps.Sales.PostJsonAsync("/api/v1/opportunities", new { name = "Deal", amount = 1m, currency = "EUR", customerId = person });
        refused.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.True(refused.Body.GetProperty("errors").TryGetProperty("customerId", out _));

        await _steps.RequestAsync(person, "restriction-lifted");
        await _steps.CanContactAsync(person, "granted");
        await Eventually.TrueAsync(async () => !(await PlatformServices.DirectoryEntryAsync(Platform.Sales, person))!.ProcessingRestricted,
            "Sales learns the restriction was lifted");
        await _steps.OpportunityAsync(person, "Deal after the restriction");

        // The history of these wishes is the person's audit log.
        var audit = await _steps.Contacts.GetJsonAsync($"/api/v1/audit?entityId={person}&limit=200");
        Assert.Equal(4, audit.Items().Count(e => e.GetProperty("changes").TryGetProperty("processingRestrictedAt", out _)
            || e.GetProperty("changes").TryGetProperty("directMarketingObjectionAt", out _)));
    }

    [Fact]
    public async Task A_repeated_or_unexpected_answer_changes_nothing()
    {
        var person = await _steps.PersonEverywhereAsync();
        var request = await _steps.CompletedRequestAsync(person, "erasure");
        var salesAt = request.GetProperty("services")[1].GetProperty("at").GetDateTime();

        var bus = Platform.Sales.Services.GetRequiredService<MassTransit.IBus>();
        Task AnswerAsync(string service) => bus.Publish(new CrmPlatform.Contracts.Gdpr.V1.PersonErasureConfirmed(
            Guid.NewGuid(), DateTime.UtcNow, TenantContext.DefaultTenantId, request.Id(), 1, person, service, DateTime.UtcNow,
            new Dictionary<string, int> { ["opportunities"] = 99 }));
        await AnswerAsync("sales");
        await AnswerAsync("billing");
        await Eventually.TrueAsync(() => PlatformServices.QueryAsync(Platform.Contacts,
            db => db.InboxMessages.CountAsync(m => m.Consumer == "gdpr-replies" && m.ProcessedAt > salesAt)).ContinueWith(t => t.Result >= 2),
            "both answers are processed");

        var after = (await _steps.Contacts.GetJsonAsync($"{GdprSteps.RequestsUrl}/{request.Id()}")).Body;
        Assert.Equal(AllServices, after.GetProperty("services").EnumerateArray().Select(s => s.Str("service")));
        Assert.Equal(salesAt, after.GetProperty("services")[1].GetProperty("at").GetDateTime());
        Assert.NotEqual(99, after.GetProperty("services")[1].GetProperty("erased").GetProperty("opportunities").GetInt32());
    }

    [Fact]
    public async Task Bad_requests_are_problems_and_only_admins_may_make_them()
    {
        (await _steps.Contacts.PostJsonAsync(GdprSteps.RequestsUrl, new { type = "forget-me-a-bit" })).AssertProblem(HttpStatusCode.BadRequest);
        (await _steps.RequestAsync(Guid.CreateVersion7(), "access")).AssertProblem(HttpStatusCode.NotFound);
        (await _steps.RequestAsync(Guid.CreateVersion7(), "restriction")).AssertProblem(HttpStatusCode.NotFound);
        (await _steps.Contacts.GetJsonAsync($"{GdprSteps.RequestsUrl}/{Guid.CreateVersion7()}")).AssertProblem(HttpStatusCode.NotFound);

        var person = (await _steps.Contacts.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body.Id();
        var salesManager = await Platform.Identity.NewClientTokenAsync(TenantContext.DefaultTenantId, Roles.SalesManager);
        var notAdmin = Platform.ClientFor(Platform.Contacts, salesManager);
        Assert.Equal(HttpStatusCode.Forbidden, (await notAdmin.PostJsonAsync(GdprSteps.RequestsUrl, new { personId = person, type = "access" })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await notAdmin.GetJsonAsync(GdprSteps.RequestsUrl)).Status);
    }

    [Fact]
    public async Task Another_tenant_neither_sees_the_requests_nor_can_make_them_about_this_tenants_people()
    {
        var person = await _steps.PersonEverywhereAsync();
        var request = await _steps.CompletedRequestAsync(person, "access");

        var (_, otherToken) = await Platform.Identity.NewTenantAsync(Roles.Admin);
        var other = Platform.ClientFor(Platform.Contacts, otherToken);
        (await other.GetJsonAsync($"{GdprSteps.RequestsUrl}/{request.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await other.GetJsonAsync($"{GdprSteps.RequestsUrl}/{request.Id()}/export")).AssertProblem(HttpStatusCode.NotFound);
        Assert.Empty((await other.GetJsonAsync(GdprSteps.RequestsUrl)).Items());
        (await other.PostJsonAsync(GdprSteps.RequestsUrl, new { personId = person, type = "erasure" })).AssertProblem(HttpStatusCode.NotFound);
        (await other.PostJsonAsync(GdprSteps.RequestsUrl, new { personId = person, type = "objection" })).AssertProblem(HttpStatusCode.NotFound);
        Assert.Contains(person.ToString(), (await _steps.Contacts.GetJsonAsync($"{GdprSteps.RequestsUrl}?filter[personId]={person}")).Body.GetRawText());
    }

    [Fact]
    public async Task The_audit_log_accepts_only_redaction_and_a_purge_that_records_itself()
    {
        var person = (await _steps.Contacts.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body.Id();
        var changeValue = await Assert.ThrowsAsync<PostgresException>(() => PlatformServices.QueryAsync(Platform.Contacts,
            db => db.Database.ExecuteSqlAsync($"UPDATE audit_entries SET changes = '{{}}'::jsonb WHERE entity_id = {person}")));
        Assert.Contains("append-only", changeValue.MessageText);
        await Assert.ThrowsAsync<PostgresException>(() => PlatformServices.QueryAsync(Platform.Contacts,
            db => db.Database.ExecuteSqlAsync($"DELETE FROM audit_entries WHERE entity_id = {person}")));

        // Redaction is the one update allowed.
        var redacted = await PlatformServices.QueryAsync(Platform.Contacts,
            db => db.Database.ExecuteSqlAsync($"UPDATE audit_entries SET changes = audit_redacted(changes) WHERE entity_id = {person}"));
        Assert.Equal(1, redacted);
    }
}
