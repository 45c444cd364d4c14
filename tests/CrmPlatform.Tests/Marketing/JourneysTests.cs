using System.Net;
using System.Text.Json;
using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Marketing.Journeys;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CrmPlatform.Tests.Marketing;

/// <summary>What the journey tests share: tenants, people made in Contacts, journeys through the API, paths read back.</summary>
public abstract class JourneyTestBase(PlatformServices platform)
{
    protected PlatformServices Platform { get; } = platform;

    protected sealed record Tenant(Guid Id, string Token, HttpClient Contacts, HttpClient Marketing, HttpClient Sales);

    protected async Task<Tenant> NewTenantAsync(ServiceFactory<MarketingDbContext>? marketing = null)
    {
        var (tenantId, token) = await Platform.Identity.NewTenantAsync();
        return new Tenant(tenantId, token, Platform.ClientFor(Platform.Contacts, token), Platform.ClientFor(marketing ?? Platform.Marketing, token),
            Platform.ClientFor(Platform.Sales, token));
    }

    protected static async Task<T> QueryAsync<T>(ServiceFactory<MarketingDbContext> marketing, Guid tenantId, Func<MarketingDbContext, Task<T>> query)
    {
        await using var scope = marketing.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = tenantId;
        return await query(scope.ServiceProvider.GetRequiredService<MarketingDbContext>());
    }

    /// <summary>Creates the person in Contacts and waits until Marketing's copy has them.</summary>
    protected async Task<Guid> PersonAsync(Tenant tenant, string lifecycleStage, string country, ServiceFactory<MarketingDbContext>? marketing = null)
    {
        var id = (await tenant.Contacts.PostJsonAsync("/api/v1/people", new
        {
            firstName = "Journey",
            lastName = $"Person {Guid.NewGuid():N}"[..20],
            email = $"{Guid.NewGuid():N}@example.com",
            lifecycleStage,
            addresses = new[] { new { type = "work", city = "Somewhere", country } },
        }).CreatedAsync()).Id();
        await Eventually.TrueAsync(() => QueryAsync(marketing ?? Platform.Marketing, tenant.Id, db => db.DirectoryContacts.AnyAsync(c => c.Id == id)),
            "Marketing knows the person");
        return id;
    }

    protected static object Leaf(string field, string op, object? value) => new { field, op, value };

    protected static async Task<Guid> ActiveJourneyAsync(Tenant tenant, string name, object definition)
    {
        var journey = await tenant.Marketing.PostJsonAsync("/api/v1/journeys", new { name, definition }).CreatedAsync();
        Assert.Equal("draft", journey.Str("status"));
        var active = await tenant.Marketing.SendJsonAsync(HttpMethod.Post, $"/api/v1/journeys/{journey.Id()}/status", new { status = "active" }, journey.ETag());
        Assert.Equal(HttpStatusCode.OK, active.Status);
        return journey.Id();
    }

    protected static async Task<List<JsonElement>> EnrolmentsAsync(Tenant tenant, Guid journey, Guid person)
    {
        var answer = await tenant.Marketing.GetJsonAsync($"/api/v1/journeys/{journey}/enrolments?personId={person}");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return answer.Items();
    }

    /// <summary>The person's one enrolment once it is finished, with its path.</summary>
    protected static async Task<JsonElement> FinishedPathAsync(Tenant tenant, Guid journey, Guid person, TimeSpan? timeout = null)
    {
        var enrolment = (await Eventually.ReturnsAsync(() => EnrolmentsAsync(tenant, journey, person),
            items => items.Count == 1 && items[0].Str("status") != "active", "the enrolment finishes", timeout))[0];
        var path = await tenant.Marketing.GetJsonAsync($"/api/v1/journeys/{journey}/enrolments/{enrolment.Id()}");
        Assert.Equal(HttpStatusCode.OK, path.Status);
        return path.Body;
    }

    protected static List<(string Step, string Outcome, DateTime At)> Steps(JsonElement path) =>
        path.GetProperty("steps").EnumerateArray().Select(s => (s.Str("stepId"), s.Str("outcome"), s.GetProperty("executedAt").GetDateTime())).ToList();

    protected async Task<string[]> TagsAsync(Tenant tenant, Guid person) =>
        (await tenant.Contacts.GetJsonAsync($"/api/v1/people/{person}")).Body.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToArray();

    /// <summary>The events of a kind Marketing put in its outbox for the tenant.</summary>
    protected static Task<List<T>> OutboxAsync<T>(ServiceFactory<MarketingDbContext> marketing, Guid tenantId) where T : class =>
        QueryAsync(marketing, tenantId, async db => (await db.OutboxMessages.AsNoTracking()
                .Where(m => m.TenantId == tenantId && m.EventType == typeof(T).FullName).ToListAsync())
            .Select(m => (T)m.ToEvent()).ToList());
}

/// <summary>
/// Journeys through Marketing's API on real PostgreSQL and RabbitMQ: triggered by segment entries and Sales' events,
/// waiting on database timers, branching on segment rules, asking Contacts for a tag and Sales for a task; re-entry,
/// exit, versions, validation, tenant isolation and permissions. Each test works in a tenant of its own.
/// </summary>
public sealed class JourneysTests(PlatformFixture fixture) : JourneyTestBase(fixture.Platform), IClassFixture<PlatformFixture>
{
    private static object CustomerJourney(Guid segment, string tag, string wait = "PT2S") => new
    {
        trigger = new { kind = "segment-entry", segmentId = segment },
        start = "wait",
        steps = new object[]
        {
            new { id = "wait", kind = "wait", duration = wait, next = "is-customer" },
            new { id = "is-customer", kind = "condition", rule = Leaf("lifecycleStage", "eq", "customer"), yes = "tag", no = (string?)null },
            new { id = "tag", kind = "add-tag", tag, next = "task" },
            new { id = "task", kind = "create-task", subject = "Call the new customer", dueInDays = 2, priority = "high", next = "notify" },
            new { id = "notify", kind = "notify-user", userId = "marketing-lead", message = "A customer finished onboarding", next = (string?)null },
        },
    };

    [Fact]
    public async Task A_segment_entry_journey_waits_branches_and_acts_once_with_the_tag_in_contacts_and_the_task_in_sales()
    {
        var tenant = await NewTenantAsync();
        var segment = (await tenant.Marketing.PostJsonAsync("/api/v1/segments", new { name = "Germany", rules = Leaf("country", "eq", "DE") }).CreatedAsync()).Id();
        var journey = await ActiveJourneyAsync(tenant, "Onboarding", CustomerJourney(segment, "Onboarded"));

        var customer = await PersonAsync(tenant, "customer", "DE");
        var lead = await PersonAsync(tenant, "lead", "DE");

        var path = await FinishedPathAsync(tenant, journey, customer);
        Assert.Equal("completed", path.GetProperty("enrolment").Str("status"));
        var steps = Steps(path);
        Assert.Equal(["wait:waiting", "is-customer:yes", "tag:requested", "task:requested", "notify:requested"], steps.Select(s => $"{s.Step}:{s.Outcome}"));
        Assert.True(steps[1].At - steps[0].At >= TimeSpan.FromSeconds(2), "the condition ran after the wait");

        var leadPath = await FinishedPathAsync(tenant, journey, lead);
        Assert.Equal(["wait:waiting", "is-customer:no"], Steps(leadPath).Select(s => $"{s.Step}:{s.Outcome}"));

        // The tag arrives in Contacts, normalized; the lead gets none.
        await Eventually.TrueAsync(async () => (await TagsAsync(tenant, customer)).Contains("onboarded"), "Contacts tags the customer");
        Assert.DoesNotContain("onboarded", await TagsAsync(tenant, lead));

        // Sales makes one task about the customer, for the person's owner in Contacts (here the API client that made them).
        var owner = (await tenant.Contacts.GetJsonAsync($"/api/v1/people/{customer}")).Body.Str("ownerId");
        var tasks = await Eventually.ReturnsAsync(async () => (await tenant.Sales.GetJsonAsync($"/api/v1/tasks?filter[contactId]={customer}")).Items(),
            items => items.Count > 0, "Sales has the task");
        var task = Assert.Single(tasks);
        Assert.Equal(("Call the new customer", "high", owner), (task.Str("subject"), task.Str("priority"), task.Str("assigneeId")));

        // Each step announced once; one request of each kind; nothing more on a second look.
        var enrolment = path.GetProperty("enrolment").Id();
        var executed = (await OutboxAsync<JourneyStepExecuted>(Platform.Marketing, tenant.Id)).Where(e => e.AggregateId == enrolment).ToList();
        Assert.Equal(5, executed.Select(e => e.EventId).Distinct().Count());
        Assert.Single(await OutboxAsync<AddPersonTagRequested>(Platform.Marketing, tenant.Id), e => e.PersonId == customer);
        Assert.Single(await OutboxAsync<SalesTaskRequested>(Platform.Marketing, tenant.Id));
        Assert.Single(await OutboxAsync<UserNotificationRequested>(Platform.Marketing, tenant.Id));
        await Task.Delay(500);
        Assert.Single((await tenant.Sales.GetJsonAsync($"/api/v1/tasks?filter[contactId]={customer}")).Items());
    }

    [Fact]
    public async Task Re_entry_rules_and_leaving_the_segment_are_obeyed()
    {
        var tenant = await NewTenantAsync();
        var list = (await tenant.Marketing.PostJsonAsync("/api/v1/segments", new { name = "Webinar", kind = "static" }).CreatedAsync()).Id();
        object Definition(string mode, string wait, object? exit = null, int? days = null) => new
        {
            trigger = new { kind = "segment-entry", segmentId = list },
            start = "wait",
            steps = new object[]
            {
                new { id = "wait", kind = "wait", duration = wait, next = "tag" },
                new { id = "tag", kind = "add-tag", tag = $"{mode}-done", next = (string?)null },
            },
            exit,
            reentry = days is null ? (object)new { mode } : new { mode, days },
        };
        var never = await ActiveJourneyAsync(tenant, "Never again, exits on leaving", Definition("never", "PT3S", new { leftSegment = true }));
        var always = await ActiveJourneyAsync(tenant, "Always", Definition("always", "PT0.1S"));
        var after = await ActiveJourneyAsync(tenant, "After a month", Definition("after", "PT0.1S", days: 30));
        var person = await PersonAsync(tenant, "customer", "FR");

        Assert.Equal(HttpStatusCode.OK, (await tenant.Marketing.PostJsonAsync($"/api/v1/segments/{list}/members", new { personIds = new[] { person } })).Status);
        // Out of the list only once the wait has begun: a leave that comes first exits before any step, a different case.
        await Eventually.TrueAsync(async () => await EnrolmentsAsync(tenant, never, person) is [var enrolment]
            && Steps((await tenant.Marketing.GetJsonAsync($"/api/v1/journeys/{never}/enrolments/{enrolment.Id()}")).Body).Any(s => s.Step == "wait"),
            "the person enters the first journey and waits");
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Marketing.SendJsonAsync(HttpMethod.Delete, $"/api/v1/segments/{list}/members/{person}")).Status);

        // Leaving the segment while waiting: out at the end of the wait, without the tag step.
        var exited = await FinishedPathAsync(tenant, never, person);
        Assert.Equal(("exited", "left-segment"), (exited.GetProperty("enrolment").Str("status"), exited.GetProperty("enrolment").Str("exitReason")));
        Assert.Equal(["wait:waiting"], Steps(exited).Select(s => $"{s.Step}:{s.Outcome}"));
        await FinishedPathAsync(tenant, always, person);
        await FinishedPathAsync(tenant, after, person);

        // Back in the list: only "always" takes them again.
        Assert.Equal(HttpStatusCode.OK, (await tenant.Marketing.PostJsonAsync($"/api/v1/segments/{list}/members", new { personIds = new[] { person } })).Status);
        await Eventually.TrueAsync(async () => (await EnrolmentsAsync(tenant, always, person)).Count(e => e.Str("status") == "completed") == 2,
            "the person goes through the always journey again");
        Assert.Single(await EnrolmentsAsync(tenant, never, person));
        Assert.Single(await EnrolmentsAsync(tenant, after, person));
        var tags = await Eventually.ReturnsAsync(() => TagsAsync(tenant, person), t => t.Contains("always-done") && t.Contains("after-done"), "the tags arrive");
        Assert.DoesNotContain("never-done", tags);
    }

    [Fact]
    public async Task A_redelivered_trigger_event_enrols_once_and_a_new_one_again()
    {
        var tenant = await NewTenantAsync();
        var journey = await ActiveJourneyAsync(tenant, "Won deals", new
        {
            trigger = new { kind = "event", @event = "OpportunityWon" },
            start = "thanks",
            steps = new object[] { new { id = "thanks", kind = "notify-user", userId = "account-manager", message = "Say thank you", next = (string?)null } },
            reentry = new { mode = "always" },
        });
        var person = await PersonAsync(tenant, "customer", "DE");
        var bus = Platform.Sales.Services.GetRequiredService<IBus>();
        var snapshot = new OpportunitySnapshot("Licences", 1000m, "EUR", person, Guid.NewGuid(), "won", 100, null, null);
        var won = new OpportunityWon(Guid.NewGuid(), DateTime.UtcNow, tenant.Id, Guid.NewGuid(), 3, DateTime.UtcNow, snapshot);
        await bus.Publish(won, context => context.MessageId = won.EventId);
        await bus.Publish(won, context => context.MessageId = won.EventId);
        await Eventually.TrueAsync(() => QueryAsync(Platform.Marketing, tenant.Id,
                db => db.InboxMessages.AnyAsync(m => m.MessageId == won.EventId && m.Consumer == JourneyTriggerConsumer.ConsumerName)),
            "the trigger is consumed");
        await Eventually.TrueAsync(async () => (await EnrolmentsAsync(tenant, journey, person)).Any(e => e.Str("status") == "completed"), "the journey runs");
        await Task.Delay(1000);
        Assert.Single(await EnrolmentsAsync(tenant, journey, person));

        var again = won with { EventId = Guid.NewGuid(), AggregateId = Guid.NewGuid() };
        await bus.Publish(again, context => context.MessageId = again.EventId);
        await Eventually.TrueAsync(async () => (await EnrolmentsAsync(tenant, journey, person)).Count(e => e.Str("status") == "completed") == 2,
            "another win enrols again (re-entry always)");
        Assert.Equal(2, (await OutboxAsync<UserNotificationRequested>(Platform.Marketing, tenant.Id)).Count);
    }

    [Fact]
    public async Task People_inside_keep_the_version_they_entered_with()
    {
        var tenant = await NewTenantAsync();
        var list = (await tenant.Marketing.PostJsonAsync("/api/v1/segments", new { name = "Trial", kind = "static" }).CreatedAsync()).Id();
        object Definition(string tag) => new
        {
            trigger = new { kind = "segment-entry", segmentId = list },
            start = "wait",
            steps = new object[]
            {
                new { id = "wait", kind = "wait", duration = "PT3S", next = "tag" },
                new { id = "tag", kind = "add-tag", tag, next = (string?)null },
            },
        };
        var journey = await ActiveJourneyAsync(tenant, "Trial", Definition("first-version"));
        var early = await PersonAsync(tenant, "lead", "DE");
        var late = await PersonAsync(tenant, "lead", "DE");
        await tenant.Marketing.PostJsonAsync($"/api/v1/segments/{list}/members", new { personIds = new[] { early } });
        await Eventually.TrueAsync(async () => (await EnrolmentsAsync(tenant, journey, early)).Count == 1, "the first person enters");

        var current = (await tenant.Marketing.GetJsonAsync($"/api/v1/journeys/{journey}")).Body;
        var updated = await tenant.Marketing.PutJsonAsync($"/api/v1/journeys/{journey}", new { name = "Trial", definition = Definition("second-version") }, current.ETag());
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal(2, updated.Body.GetProperty("definitionVersion").GetInt32());
        await tenant.Marketing.PostJsonAsync($"/api/v1/segments/{list}/members", new { personIds = new[] { late } });

        Assert.Equal(1, (await FinishedPathAsync(tenant, journey, early)).GetProperty("enrolment").GetProperty("journeyVersion").GetInt32());
        Assert.Equal(2, (await FinishedPathAsync(tenant, journey, late)).GetProperty("enrolment").GetProperty("journeyVersion").GetInt32());
        await Eventually.TrueAsync(async () => (await TagsAsync(tenant, early)).SequenceEqual(["first-version"]), "the first person gets the first version's tag");
        await Eventually.TrueAsync(async () => (await TagsAsync(tenant, late)).SequenceEqual(["second-version"]), "the later person gets the second version's");
    }

    [Fact]
    public async Task Bad_definitions_are_refused_naming_the_path_and_status_moves_are_checked()
    {
        var tenant = await NewTenantAsync();
        var segment = (await tenant.Marketing.PostJsonAsync("/api/v1/segments", new { name = "All DE", rules = Leaf("country", "eq", "DE") }).CreatedAsync()).Id();
        var bad = await tenant.Marketing.PostJsonAsync("/api/v1/journeys", new
        {
            name = "Broken",
            definition = new
            {
                trigger = new { kind = "segment-entry", segmentId = segment },
                start = "a",
                steps = new object[]
                {
                    new { id = "a", kind = "wait", duration = "two days", next = "b" },
                    new { id = "b", kind = "send-fax", next = (string?)null },
                    new { id = "c", kind = "condition", rule = Leaf("shoeSize", "eq", "42"), yes = "a" },
                },
                reentry = new { mode = "after" },
            },
        });
        bad.AssertProblem(HttpStatusCode.BadRequest);
        var errors = bad.Body.GetProperty("errors");
        foreach (var path in new[] { "definition.steps[0].duration", "definition.steps[1].kind", "definition.steps[2].rule.field", "definition.reentry.days" })
        {
            Assert.True(errors.TryGetProperty(path, out _), $"{path} is named in {errors}");
        }

        var cycle = await tenant.Marketing.PostJsonAsync("/api/v1/journeys", new
        {
            name = "Loop",
            definition = new
            {
                trigger = new { kind = "event", @event = "TicketSolved" },
                start = "a",
                steps = new object[]
                {
                    new { id = "a", kind = "add-tag", tag = "x", next = "b" },
                    new { id = "b", kind = "wait", duration = "P1D", next = "a" },
                    new { id = "c", kind = "add-tag", tag = "y", next = "nowhere" },
                },
            },
        });
        cycle.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(cycle.Body.GetProperty("errors").TryGetProperty("definition.steps[2].next", out _));

        var unknownSegment = await tenant.Marketing.PostJsonAsync("/api/v1/journeys", new
        {
            name = "Elsewhere",
            definition = new { trigger = new { kind = "segment-entry", segmentId = Guid.NewGuid() }, start = "a", steps = new[] { new { id = "a", kind = "add-tag", tag = "x" } } },
        });
        unknownSegment.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.True(unknownSegment.Body.GetProperty("errors").TryGetProperty("definition.trigger.segmentId", out _));

        var journey = await tenant.Marketing.PostJsonAsync("/api/v1/journeys", new
        {
            name = "Fine",
            definition = new { trigger = new { kind = "segment-entry", segmentId = segment }, start = "a", steps = new[] { new { id = "a", kind = "add-tag", tag = "x" } } },
        }).CreatedAsync();
        var id = journey.Id();
        Task<ApiAnswer> Move(string status, string? etag = null) =>
            tenant.Marketing.SendJsonAsync(HttpMethod.Post, $"/api/v1/journeys/{id}/status", new { status }, etag ?? journey.ETag());
        (await Move("paused")).AssertProblem(HttpStatusCode.Conflict);
        (await Move("active", "\"7\"")).AssertProblem(HttpStatusCode.PreconditionFailed);
        (await tenant.Marketing.SendJsonAsync(HttpMethod.Post, $"/api/v1/journeys/{id}/status", new { status = "active" })).AssertProblem(HttpStatusCode.PreconditionRequired);
        (await Move("sleeping")).AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.OK, (await Move("archived")).Status);
        journey = (await tenant.Marketing.GetJsonAsync($"/api/v1/journeys/{id}")).Body;
        (await Move("active")).AssertProblem(HttpStatusCode.Conflict);
        var archived = (await tenant.Marketing.GetJsonAsync($"/api/v1/journeys/{id}")).Body;
        (await tenant.Marketing.PutJsonAsync($"/api/v1/journeys/{id}", new { name = "Again", definition = archived.GetProperty("definition") }, archived.ETag()))
            .AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal(0, await QueryAsync(Platform.Marketing, tenant.Id, db => db.Journeys.CountAsync(j => j.Name == "Broken" || j.Name == "Loop" || j.Name == "Elsewhere")));
    }

    [Fact]
    public async Task Another_tenant_sees_no_journeys_or_paths_and_only_admins_and_marketing_may_use_them()
    {
        var tenant = await NewTenantAsync();
        var journey = await ActiveJourneyAsync(tenant, "Won", new
        {
            trigger = new { kind = "event", @event = "OpportunityWon" },
            start = "a",
            steps = new[] { new { id = "a", kind = "notify-user", userId = "u1", message = "won" } },
        });
        var person = await PersonAsync(tenant, "customer", "DE");
        var bus = Platform.Sales.Services.GetRequiredService<IBus>();
        await bus.Publish(new OpportunityWon(Guid.NewGuid(), DateTime.UtcNow, tenant.Id, Guid.NewGuid(), 2, DateTime.UtcNow,
            new OpportunitySnapshot("Deal", 10m, "EUR", person, Guid.NewGuid(), "won", 100, null, null)));
        var enrolment = (await Eventually.ReturnsAsync(() => EnrolmentsAsync(tenant, journey, person), e => e.Count == 1, "the person enters"))[0].Id();

        var other = await NewTenantAsync();
        (await other.Marketing.GetJsonAsync($"/api/v1/journeys/{journey}")).AssertProblem(HttpStatusCode.NotFound);
        (await other.Marketing.GetJsonAsync($"/api/v1/journeys/{journey}/enrolments")).AssertProblem(HttpStatusCode.NotFound);
        (await other.Marketing.GetJsonAsync($"/api/v1/journeys/{journey}/enrolments/{enrolment}")).AssertProblem(HttpStatusCode.NotFound);
        (await other.Marketing.SendJsonAsync(HttpMethod.Post, $"/api/v1/journeys/{journey}/status", new { status = "paused" })).AssertProblem(HttpStatusCode.NotFound);
        Assert.Empty((await other.Marketing.GetJsonAsync("/api/v1/journeys")).Items());

        foreach (var role in new[] { Roles.SalesRep, Roles.SalesManager, Roles.ServiceAgent, Roles.ReadOnly })
        {
            var client = Platform.ClientFor(Platform.Marketing, await Platform.Identity.NewClientTokenAsync(tenant.Id, role));
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetJsonAsync("/api/v1/journeys")).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetJsonAsync($"/api/v1/journeys/{journey}/enrolments/{enrolment}")).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostJsonAsync("/api/v1/journeys", new { name = "x" })).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostJsonAsync($"/api/v1/journeys/{journey}/status", new { status = "paused" })).Status);
        }
        var marketing = Platform.ClientFor(Platform.Marketing, await Platform.Identity.NewClientTokenAsync(tenant.Id, Roles.Marketing));
        Assert.Single((await marketing.GetJsonAsync("/api/v1/journeys")).Items());
        Assert.Equal(HttpStatusCode.OK, (await marketing.GetJsonAsync($"/api/v1/journeys/{journey}/enrolments/{enrolment}")).Status);
    }
}

/// <summary>
/// A journey waiting on its timer while Marketing is stopped: the timer is a row, so the restarted Marketing runs the
/// step after its due time, once. A platform of its own, since it stops a service.
/// </summary>
public sealed class JourneyRestartTests(PlatformFixture fixture) : JourneyTestBase(fixture.Platform), IClassFixture<PlatformFixture>
{
    [Fact]
    public async Task A_journey_waiting_when_marketing_stops_runs_its_next_step_once_after_the_restart()
    {
        var tenant = await NewTenantAsync();
        var list = (await tenant.Marketing.PostJsonAsync("/api/v1/segments", new { name = "Restart", kind = "static" }).CreatedAsync()).Id();
        var journey = await ActiveJourneyAsync(tenant, "Survives", new
        {
            trigger = new { kind = "segment-entry", segmentId = list },
            start = "wait",
            steps = new object[]
            {
                new { id = "wait", kind = "wait", duration = "PT15S", next = "tag" },
                new { id = "tag", kind = "add-tag", tag = "after-restart", next = (string?)null },
            },
        });
        var person = await PersonAsync(tenant, "customer", "DE");
        await tenant.Marketing.PostJsonAsync($"/api/v1/segments/{list}/members", new { personIds = new[] { person } });
        var waiting = (await Eventually.ReturnsAsync(() => QueryAsync(Platform.Marketing, tenant.Id,
            db => db.JourneyEnrolments.AsNoTracking().Where(e => e.JourneyId == journey && e.PersonId == person && e.CurrentStep == "tag").ToListAsync()),
            e => e.Count == 1, "the person waits"))[0];

        var configuration = Platform.Marketing.Services.GetRequiredService<IConfiguration>();
        var settings = new[] { "ConnectionStrings:marketingdb", "ConnectionStrings:messaging", "services:identity:http:0" }
            .ToDictionary(key => key, key => configuration[key]!);
        await Platform.Marketing.DisposeAsync();
        var stoppedAt = DateTime.UtcNow;
        Assert.True(stoppedAt < waiting.DueAt, "Marketing stopped before the timer was due");

        await using var restarted = new ServiceFactory<MarketingDbContext>(settings);
        _ = restarted.Server;
        var marketing = Platform.ClientFor(restarted, tenant.Token);
        var path = await Eventually.ReturnsAsync(async () => (await marketing.GetJsonAsync($"/api/v1/journeys/{journey}/enrolments/{waiting.Id}")).Body,
            p => p.GetProperty("enrolment").Str("status") == "completed", "the restarted Marketing finishes the journey");
        var steps = Steps(path);
        Assert.Equal(["wait:waiting", "tag:requested"], steps.Select(s => $"{s.Step}:{s.Outcome}"));
        Assert.True(steps[1].At >= waiting.DueAt!.Value.AddMilliseconds(-1), "the step ran when due, not before");
        Assert.True(steps[1].At > stoppedAt, "the step ran after the restart");
        await Eventually.TrueAsync(async () => (await TagsAsync(tenant, person)).Contains("after-restart"), "Contacts tags the person");
        await Task.Delay(500);
        Assert.Single(await OutboxAsync<AddPersonTagRequested>(restarted, tenant.Id), e => e.PersonId == person);
        Assert.Equal(2, await QueryAsync(restarted, tenant.Id, db => db.JourneyStepExecutions.CountAsync(x => x.EnrolmentId == waiting.Id)));
    }
}
