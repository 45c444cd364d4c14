using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.Marketing.Data;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmPlatform.Tests.Marketing;

/// <summary>
/// Segments through Marketing's API over people created in Contacts, with membership kept from the real broker's
/// events and announced as <see cref="SegmentMembershipChanged"/>. Each test works in a tenant of its own.
/// </summary>
public sealed class SegmentsTests(SegmentsTests.Fixture fixture) : IClassFixture<SegmentsTests.Fixture>
{
    /// <summary>The four services, and every <see cref="SegmentMembershipChanged"/> Marketing publishes, as received from RabbitMQ.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public PlatformServices Platform { get; private set; } = null!;
        public ConcurrentQueue<SegmentMembershipChanged> Changes { get; } = new();
        private HostReceiveEndpointHandle? _endpoint;

        public async Task InitializeAsync()
        {
            Platform = await PlatformServices.StartOnSharedBrokerAsync();
            _endpoint = Platform.Marketing.Services.GetRequiredService<IBus>().ConnectReceiveEndpoint($"test-segment-changes-{Guid.NewGuid():N}",
                e => e.Handler<SegmentMembershipChanged>(context =>
                {
                    Changes.Enqueue(context.Message);
                    return Task.CompletedTask;
                }));
            await _endpoint.Ready;
        }

        public async Task DisposeAsync()
        {
            if (_endpoint is not null)
            {
                await _endpoint.StopAsync();
            }
            await Platform.DisposeAsync();
        }
    }

    private PlatformServices Platform => fixture.Platform;

    private sealed record Tenant(Guid Id, HttpClient Contacts, HttpClient Marketing);

    private async Task<Tenant> NewTenantAsync()
    {
        var (tenantId, token) = await Platform.Identity.NewTenantAsync();
        return new Tenant(tenantId, Platform.ClientFor(Platform.Contacts, token), Platform.ClientFor(Platform.Marketing, token));
    }

    private static object Person(string lastName, string? lifecycleStage, string? country, string[]? tags = null, string? industry = null, string? email = null) => new
    {
        firstName = "Test",
        lastName,
        email = email ?? $"{Guid.NewGuid():N}@example.com",
        lifecycleStage,
        industry,
        tags,
        addresses = country is null ? null : new[] { new { type = "work", city = "Somewhere", country } },
    };

    /// <summary>Runs a query on a fresh Marketing DbContext acting for <paramref name="tenantId"/>.</summary>
    private static async Task<T> QueryAsync<T>(PlatformServices platform, Guid tenantId, Func<MarketingDbContext, Task<T>> query)
    {
        await using var scope = platform.Marketing.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = tenantId;
        return await query(scope.ServiceProvider.GetRequiredService<MarketingDbContext>());
    }

    /// <summary>Creates the person in Contacts and waits until Marketing's replica has it.</summary>
    private async Task<Guid> PersonAsync(Tenant tenant, object person)
    {
        var id = (await tenant.Contacts.PostJsonAsync("/api/v1/people", person).CreatedAsync()).Id();
        await Eventually.TrueAsync(() => QueryAsync(Platform, tenant.Id, db => db.DirectoryContacts.AnyAsync(c => c.Id == id)), "Marketing knows the person");
        return id;
    }

    private async Task ChangePersonAsync(Tenant tenant, Guid id, object person)
    {
        var current = (await tenant.Contacts.GetJsonAsync($"/api/v1/people/{id}")).Body;
        var version = current.GetProperty("version").GetInt32() + 1;
        var answer = await tenant.Contacts.PutJsonAsync($"/api/v1/people/{id}", person, current.ETag());
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        await Eventually.TrueAsync(() => QueryAsync(Platform, tenant.Id, db => db.DirectoryContacts.AnyAsync(c => c.Id == id && c.Version >= version)),
            "Marketing has the change");
    }

    private static async Task<HashSet<Guid>> MembersAsync(Tenant tenant, Guid segmentId)
    {
        var answer = await tenant.Marketing.GetJsonAsync($"/api/v1/segments/{segmentId}/members?limit=200");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return answer.Items().Select(m => m.GetProperty("personId").GetGuid()).ToHashSet();
    }

    private static object Leaf(string field, string op, object? value) => new { field, op, value };

    private IReadOnlyList<SegmentMembershipChanged> ChangesOf(Guid segmentId) => fixture.Changes.Where(c => c.SegmentId == segmentId).ToList();

    [Fact]
    public async Task Nested_rules_select_their_people_previewed_then_saved_with_entered_events()
    {
        var tenant = await NewTenantAsync();
        var vip = await PersonAsync(tenant, Person("Vip", "customer", "DE", ["vip"], "Software"));
        var french = await PersonAsync(tenant, Person("French", "customer", "FR", industry: "software"));
        await PersonAsync(tenant, Person("Lead", "lead", "FR", ["vip"]));
        await PersonAsync(tenant, Person("American", "customer", "US"));
        var rules = new
        {
            all = new object[]
            {
                Leaf("lifecycleStage", "eq", "customer"),
                Leaf("industry", "eq", "SOFTWARE"),
                new { any = new[] { Leaf("country", "eq", "FR"), Leaf("tags", "contains", "vip") } },
            },
        };

        var preview = await tenant.Marketing.PostJsonAsync("/api/v1/segments/preview", new { rules });
        Assert.Equal(HttpStatusCode.OK, preview.Status);
        Assert.Equal(2, preview.Body.GetProperty("count").GetInt64());
        Assert.Equal(new HashSet<Guid> { vip, french },
            preview.Body.GetProperty("sample").EnumerateArray().Select(s => s.GetProperty("personId").GetGuid()).ToHashSet());
        Assert.Equal(0, await QueryAsync(Platform, tenant.Id, db => db.Segments.CountAsync()));

        var created = await tenant.Marketing.PostJsonAsync("/api/v1/segments", new { name = "Software customers", rules });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("\"1\"", created.Response.Headers.ETag?.Tag);
        var segment = created.Body.Id();
        Assert.Equal(2, created.Body.GetProperty("memberCount").GetInt64());
        Assert.Equal("dynamic", created.Body.Str("kind"));
        Assert.Equal(new HashSet<Guid> { vip, french }, await MembersAsync(tenant, segment));

        await Eventually.TrueAsync(() => Task.FromResult(ChangesOf(segment).Count >= 2), "the two entries are published");
        var entries = ChangesOf(segment);
        Assert.All(entries, e =>
        {
            Assert.Equal(tenant.Id, e.TenantId);
            Assert.Equal(SegmentMembershipChanges.Entered, e.Change);
            Assert.Equal(1, e.Version);
        });
        Assert.Equal(new HashSet<Guid> { vip, french }, entries.Select(e => e.PersonId).ToHashSet());
    }

    [Fact]
    public async Task A_change_in_contacts_moves_a_person_into_and_out_of_a_segment()
    {
        var tenant = await NewTenantAsync();
        var person = await PersonAsync(tenant, Person("Mover", "lead", "DE"));
        var segment = (await tenant.Marketing.PostJsonAsync("/api/v1/segments", new
        {
            name = "German customers",
            rules = new { all = new[] { Leaf("lifecycleStage", "eq", "customer"), Leaf("country", "in", new[] { "de", "AT" }) } },
        }).CreatedAsync()).Id();
        Assert.Empty(await MembersAsync(tenant, segment));

        await ChangePersonAsync(tenant, person, Person("Mover", "customer", "DE"));
        await Eventually.TrueAsync(async () => (await MembersAsync(tenant, segment)).Contains(person), "the person enters");
        var entered = await Eventually.ReturnsAsync(() => Task.FromResult(ChangesOf(segment)), c => c.Count == 1, "the entry is published");
        Assert.Equal((person, SegmentMembershipChanges.Entered, tenant.Id), (entered[0].PersonId, entered[0].Change, entered[0].TenantId));

        await ChangePersonAsync(tenant, person, Person("Mover", "customer", "FR"));
        await Eventually.TrueAsync(async () => (await MembersAsync(tenant, segment)).Count == 0, "the person leaves");
        var changes = await Eventually.ReturnsAsync(() => Task.FromResult(ChangesOf(segment)), c => c.Count == 2, "the exit is published");
        var left = changes.Single(c => c.Change == SegmentMembershipChanges.Left);
        Assert.Equal(person, left.PersonId);
        // One stay: the exit ends the membership the entry began.
        Assert.Equal((entered[0].AggregateId, 2), (left.AggregateId, left.Version));
        Assert.True(left.ChangedAt >= entered[0].ChangedAt);
    }

    [Fact]
    public async Task An_open_opportunity_moves_its_customer_in_and_winning_it_moves_them_out()
    {
        var tenant = await NewTenantAsync();
        var person = await PersonAsync(tenant, Person("Buyer", "customer", "DE"));
        var segment = (await tenant.Marketing.PostJsonAsync("/api/v1/segments", new
        {
            name = "In a deal",
            rules = new { all = new[] { Leaf("hasOpenOpportunity", "eq", true) } },
        }).CreatedAsync()).Id();

        var bus = Platform.Sales.Services.GetRequiredService<IBus>();
        var opportunityId = Guid.CreateVersion7();
        var snapshot = new OpportunitySnapshot("Licences", 1000m, "EUR", person, Guid.NewGuid(), "proposal", 40, null, null);
        await bus.Publish(new OpportunityCreated(Guid.NewGuid(), DateTime.UtcNow, tenant.Id, opportunityId, 1, snapshot));
        await Eventually.TrueAsync(async () => (await MembersAsync(tenant, segment)).Contains(person), "an open opportunity brings the customer in");

        await bus.Publish(new OpportunityWon(Guid.NewGuid(), DateTime.UtcNow, tenant.Id, opportunityId, 2, DateTime.UtcNow, snapshot with { Stage = "won" }));
        await Eventually.TrueAsync(async () => (await MembersAsync(tenant, segment)).Count == 0, "winning it takes the customer out");

        // A late stage change of the version before cannot reopen what was won.
        await bus.Publish(new OpportunityStageChanged(Guid.NewGuid(), DateTime.UtcNow, tenant.Id, opportunityId, 1, Guid.NewGuid(), "lead",
            DateTime.UtcNow, "someone", snapshot));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Empty(await MembersAsync(tenant, segment));
        Assert.Equal([SegmentMembershipChanges.Entered, SegmentMembershipChanges.Left],
            (await Eventually.ReturnsAsync(() => Task.FromResult(ChangesOf(segment)), c => c.Count == 2, "both changes are published"))
            .OrderBy(c => c.Version).Select(c => c.Change));
    }

    [Fact]
    public async Task An_open_ticket_and_a_form_submission_count_as_behaviour()
    {
        var tenant = await NewTenantAsync();
        var email = $"{Guid.NewGuid():N}@example.com";
        var person = await PersonAsync(tenant, Person("Asker", "customer", "DE", email: email));
        var tickets = (await tenant.Marketing.PostJsonAsync("/api/v1/segments", new
        {
            name = "Waiting for support",
            rules = new { any = new[] { Leaf("hasOpenTicket", "eq", true) } },
        }).CreatedAsync()).Id();
        var form = Guid.NewGuid();
        var formSegment = (await tenant.Marketing.PostJsonAsync("/api/v1/segments", new { name = "Asked for a demo", rules = Leaf("submittedForm", "eq", form) }).CreatedAsync()).Id();

        var bus = Platform.Service.Services.GetRequiredService<IBus>();
        var ticketId = Guid.CreateVersion7();
        var ticket = new TicketSnapshot(1042, "Help", "new", "normal", "email", person, null, null, null, null, null, [], null, null);
        await bus.Publish(new TicketCreated(Guid.NewGuid(), DateTime.UtcNow, tenant.Id, ticketId, 1, ticket));
        await Eventually.TrueAsync(async () => (await MembersAsync(tenant, tickets)).Contains(person), "an open ticket brings the requester in");
        await bus.Publish(new TicketSolved(Guid.NewGuid(), DateTime.UtcNow, tenant.Id, ticketId, 2, DateTime.UtcNow, ticket with { Status = "solved" }));
        await Eventually.TrueAsync(async () => (await MembersAsync(tenant, tickets)).Count == 0, "solving it takes the requester out");

        // A submission names no person: the sender is found by address.
        await bus.Publish(new FormSubmitted(Guid.NewGuid(), DateTime.UtcNow, tenant.Id, Guid.NewGuid(), 1, form, null,
            new FormSubmission("Test", "Asker", email.ToUpperInvariant(), null, null, null, null, null, null, true), CreateLead: false));
        await Eventually.TrueAsync(async () => (await MembersAsync(tenant, formSegment)).Contains(person), "the submission brings the sender in");
    }

    [Fact]
    public async Task Custom_fields_and_engagement_rules_compare_what_the_events_carried()
    {
        var tenant = await NewTenantAsync();
        var bus = Platform.Contacts.Services.GetRequiredService<IBus>();
        async Task<Guid> PublishedPersonAsync(string email, Dictionary<string, JsonElement> customFields)
        {
            var id = Guid.CreateVersion7();
            await bus.Publish(new PersonCreated(Guid.NewGuid(), DateTime.UtcNow, tenant.Id, id, 1,
                new PersonSnapshot("Test", "Custom", email, null, null, null) { CustomFields = customFields, LifecycleStage = "customer" }));
            await Eventually.TrueAsync(() => QueryAsync(Platform, tenant.Id, db => db.DirectoryContacts.AnyAsync(c => c.Id == id)), "Marketing knows the person");
            return id;
        }
        static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
        var big = await PublishedPersonAsync("big@example.com", new() { ["seats"] = Json("250"), ["plan"] = Json("\"enterprise\""), ["modules"] = Json("[\"crm\",\"mail\"]") });
        var small = await PublishedPersonAsync("small@example.com", new() { ["seats"] = Json("5"), ["plan"] = Json("\"starter\"") });
        var textSeats = await PublishedPersonAsync("odd@example.com", new() { ["seats"] = Json("\"many\"") });

        async Task<long> CountAsync(object rules) =>
            (await tenant.Marketing.PostJsonAsync("/api/v1/segments/preview", new { rules })).Body.GetProperty("count").GetInt64();

        Assert.Equal(1, await CountAsync(Leaf("customFields.seats", "gt", 100)));
        Assert.Equal(2, await CountAsync(Leaf("customFields.seats", "lte", 250)));
        Assert.Equal(1, await CountAsync(Leaf("customFields.plan", "in", new[] { "enterprise", "premium" })));
        Assert.Equal(1, await CountAsync(Leaf("customFields.modules", "contains", "mail")));
        Assert.Equal(1, await CountAsync(Leaf("customFields.plan", "exists", false)));
        // No activity yet: everyone has been quiet for 30 days; a click makes the clicker active and a clicker.
        Assert.Equal(3, await CountAsync(Leaf("noActivityForDays", "gte", 30)));
        var campaign = Guid.NewGuid();
        await bus.Publish(new CampaignLinkClicked(Guid.NewGuid(), DateTime.UtcNow, tenant.Id, campaign, 1, campaign, "SMALL@example.com", null, null, DateTime.UtcNow));
        await Eventually.TrueAsync(async () => await CountAsync(Leaf("clickedCampaign", "eq", campaign)) == 1, "the click is recorded against the person with the address");
        Assert.Equal(2, await CountAsync(Leaf("noActivityForDays", "gte", 30)));
        Assert.Equal(0, await CountAsync(new { all = new[] { Leaf("clickedCampaign", "exists", true), Leaf("customFields.seats", "gt", 100) } }));
        var sample = (await tenant.Marketing.PostJsonAsync("/api/v1/segments/preview", new { rules = Leaf("customFields.seats", "gte", 5) })).Body
            .GetProperty("sample").EnumerateArray().Select(s => s.GetProperty("personId").GetGuid()).ToHashSet();
        Assert.Equal(new HashSet<Guid> { big, small }, sample);
        Assert.DoesNotContain(textSeats, sample);
    }

    [Fact]
    public async Task A_static_list_takes_members_by_hand()
    {
        var tenant = await NewTenantAsync();
        var first = await PersonAsync(tenant, Person("First", "lead", null));
        var second = await PersonAsync(tenant, Person("Second", "lead", null));
        var list = (await tenant.Marketing.PostJsonAsync("/api/v1/segments", new { name = "Fair visitors", kind = "static" }).CreatedAsync()).Id();

        var added = await tenant.Marketing.PostJsonAsync($"/api/v1/segments/{list}/members", new { personIds = new[] { first, second, first } });
        Assert.Equal(HttpStatusCode.OK, added.Status);
        Assert.Equal(2, added.Body.GetProperty("added").GetInt32());
        Assert.Equal(0, (await tenant.Marketing.PostJsonAsync($"/api/v1/segments/{list}/members", new { personIds = new[] { first } })).Body.GetProperty("added").GetInt32());
        Assert.Equal(new HashSet<Guid> { first, second }, await MembersAsync(tenant, list));

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Marketing.DeleteAsync($"/api/v1/segments/{list}/members/{second}")).StatusCode);
        Assert.Equal(new HashSet<Guid> { first }, await MembersAsync(tenant, list));
        (await tenant.Marketing.SendJsonAsync(HttpMethod.Delete, $"/api/v1/segments/{list}/members/{second}", null)).AssertProblem(HttpStatusCode.NotFound);

        var unknown = await tenant.Marketing.PostJsonAsync($"/api/v1/segments/{list}/members", new { personIds = new[] { Guid.NewGuid() } });
        unknown.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.True(unknown.Body.GetProperty("errors").TryGetProperty("personIds", out _));

        var dynamic = (await tenant.Marketing.PostJsonAsync("/api/v1/segments", new { name = "Leads", rules = Leaf("lifecycleStage", "eq", "lead") }).CreatedAsync()).Id();
        (await tenant.Marketing.PostJsonAsync($"/api/v1/segments/{dynamic}/members", new { personIds = new[] { first } })).AssertProblem(HttpStatusCode.Conflict);

        var changes = await Eventually.ReturnsAsync(() => Task.FromResult(ChangesOf(list)), c => c.Count == 3, "two entries and one exit are published");
        Assert.Equal(2, changes.Count(c => c.Change == SegmentMembershipChanges.Entered));
        Assert.Equal(second, changes.Single(c => c.Change == SegmentMembershipChanges.Left).PersonId);

        // A person deleted in Contacts leaves the list as well.
        var current = (await tenant.Contacts.GetJsonAsync($"/api/v1/people/{first}")).Body;
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Contacts.DeleteJsonAsync($"/api/v1/people/{first}", current.ETag())).Status);
        await Eventually.TrueAsync(async () => (await MembersAsync(tenant, list)).Count == 0, "the deleted person leaves the list");
        // ... and the dynamic segment, once: the list's exits (same commit, published together) do not close it again.
        await Eventually.TrueAsync(() => Task.FromResult(ChangesOf(list).Count == 4), "the list's exit is published");
        await Eventually.TrueAsync(() => Task.FromResult(ChangesOf(dynamic).Any(c => c.Change == SegmentMembershipChanges.Left)), "the segment's exit is published");
        await Task.Delay(500);
        Assert.Single(ChangesOf(dynamic), c => c.PersonId == first && c.Change == SegmentMembershipChanges.Left);
    }

    [Fact]
    public async Task Updates_need_the_current_etag_and_recompute_the_members()
    {
        var tenant = await NewTenantAsync();
        var lead = await PersonAsync(tenant, Person("Lead", "lead", null));
        var customer = await PersonAsync(tenant, Person("Customer", "customer", null));
        var created = await tenant.Marketing.PostJsonAsync("/api/v1/segments", new { name = "Leads", rules = Leaf("lifecycleStage", "eq", "lead") }).CreatedAsync();
        var id = created.Id();
        Assert.Equal(new HashSet<Guid> { lead }, await MembersAsync(tenant, id));

        var change = new { name = "Customers", rules = Leaf("lifecycleStage", "eq", "customer") };
        (await tenant.Marketing.PutJsonAsync($"/api/v1/segments/{id}", change, null)).AssertProblem(HttpStatusCode.PreconditionRequired);
        (await tenant.Marketing.PutJsonAsync($"/api/v1/segments/{id}", change, "\"7\"")).AssertProblem(HttpStatusCode.PreconditionFailed);
        var updated = await tenant.Marketing.PutJsonAsync($"/api/v1/segments/{id}", change, created.ETag());
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal(2, updated.Body.GetProperty("version").GetInt32());
        Assert.Equal(new HashSet<Guid> { customer }, await MembersAsync(tenant, id));
        (await tenant.Marketing.PutJsonAsync($"/api/v1/segments/{id}", new { name = "Static now", kind = "static" }, updated.Body.ETag()))
            .AssertProblem(HttpStatusCode.UnprocessableEntity);

        var list = await tenant.Marketing.GetJsonAsync("/api/v1/segments");
        Assert.Equal([id], list.Items().Select(s => s.Id()));

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Marketing.DeleteJsonAsync($"/api/v1/segments/{id}", updated.Body.ETag())).Status);
        (await tenant.Marketing.GetJsonAsync($"/api/v1/segments/{id}")).AssertProblem(HttpStatusCode.NotFound);
        // Deleting a segment lets its members go, announced like any exit.
        await Eventually.TrueAsync(() => Task.FromResult(ChangesOf(id).Count(c => c.Change == SegmentMembershipChanges.Left) == 2), "lead (update) and customer (delete) leave");
    }

    [Fact]
    public async Task Bad_rules_answer_400_naming_the_path_of_each_mistake()
    {
        var tenant = await NewTenantAsync();
        var rules = new
        {
            all = new object[]
            {
                Leaf("country", "eq", "DE"),
                new { any = new object[] { Leaf("shoeSize", "eq", 42), Leaf("tags", "gt", "x") } },
                Leaf("noActivityForDays", "gte", -3),
                new { all = Array.Empty<object>() },
                new { all = new[] { Leaf("country", "eq", "DE") }, any = new[] { Leaf("country", "eq", "FR") } },
            },
        };
        foreach (var answer in new[]
                 {
                     await tenant.Marketing.PostJsonAsync("/api/v1/segments", new { name = "Broken", rules }),
                     await tenant.Marketing.PostJsonAsync("/api/v1/segments/preview", new { rules }),
                 })
        {
            answer.AssertProblem(HttpStatusCode.BadRequest);
            var errors = answer.Body.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToHashSet();
            Assert.Equal(new HashSet<string> { "rules.all[1].any[0].field", "rules.all[1].any[1].op", "rules.all[2].value", "rules.all[3].all", "rules.all[4]" }, errors);
        }

        var missing = await tenant.Marketing.PostJsonAsync("/api/v1/segments", new { name = "", kind = "sometimes" });
        missing.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(missing.Body.GetProperty("errors").TryGetProperty("name", out _));
        Assert.True(missing.Body.GetProperty("errors").TryGetProperty("kind", out _));
        (await tenant.Marketing.PostJsonAsync("/api/v1/segments", new { name = "No rules" })).AssertProblem(HttpStatusCode.BadRequest);
        (await tenant.Marketing.PostJsonAsync("/api/v1/segments", new { name = "List with rules", kind = "static", rules = Leaf("country", "eq", "DE") }))
            .AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(0, await QueryAsync(Platform, tenant.Id, db => db.Segments.CountAsync()));
    }

    [Fact]
    public async Task Another_tenant_sees_none_of_the_segments_or_people()
    {
        var tenant = await NewTenantAsync();
        await PersonAsync(tenant, Person("Mine", "customer", "DE"));
        var segment = (await tenant.Marketing.PostJsonAsync("/api/v1/segments", new { name = "Customers", rules = Leaf("lifecycleStage", "eq", "customer") }).CreatedAsync()).Id();

        var other = await NewTenantAsync();
        (await other.Marketing.GetJsonAsync($"/api/v1/segments/{segment}")).AssertProblem(HttpStatusCode.NotFound);
        (await other.Marketing.GetJsonAsync($"/api/v1/segments/{segment}/members")).AssertProblem(HttpStatusCode.NotFound);
        Assert.Empty((await other.Marketing.GetJsonAsync("/api/v1/segments")).Items());
        Assert.Equal(0, (await other.Marketing.PostJsonAsync("/api/v1/segments/preview", new { rules = Leaf("lifecycleStage", "eq", "customer") }))
            .Body.GetProperty("count").GetInt64());
        var theirs = (await other.Marketing.PostJsonAsync("/api/v1/segments", new { name = "Customers", rules = Leaf("lifecycleStage", "eq", "customer") }).CreatedAsync());
        Assert.Equal(0, theirs.GetProperty("memberCount").GetInt64());
        Assert.Single(await MembersAsync(tenant, segment));
    }

    [Fact]
    public async Task Only_admins_and_marketing_may_use_segments()
    {
        var (tenantId, _) = await Platform.Identity.NewTenantAsync();
        foreach (var role in new[] { Roles.SalesRep, Roles.SalesManager, Roles.ServiceAgent, Roles.ReadOnly })
        {
            var client = Platform.ClientFor(Platform.Marketing, await Platform.Identity.NewClientTokenAsync(tenantId, role));
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetJsonAsync("/api/v1/segments")).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostJsonAsync("/api/v1/segments", new { name = "x", kind = "static" })).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostJsonAsync("/api/v1/segments/preview", new { rules = Leaf("country", "eq", "DE") })).Status);
        }
        var marketing = Platform.ClientFor(Platform.Marketing, await Platform.Identity.NewClientTokenAsync(tenantId, Roles.Marketing));
        Assert.Equal(HttpStatusCode.Created, (await marketing.PostJsonAsync("/api/v1/segments", new { name = "Ours", kind = "static" })).Status);
        Assert.Single((await marketing.GetJsonAsync("/api/v1/segments")).Items());
    }
}
