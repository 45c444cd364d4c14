using System.Net;
using System.Text.Json;
using CrmPlatform.Contracts;
using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.Sales.Activities;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Gdpr;
using CrmPlatform.Tests.Identity;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmPlatform.Tests.Sales;

/// <summary>
/// Activities, tasks, reminders and the timeline through Sales' API on real PostgreSQL and RabbitMQ: links checked
/// against the contact directory and the opportunities, record scopes, tenant isolation, and the events the outbox
/// publishes (ActivityLogged once per activity, TaskDue once per task and reminder time, also after a restart).
/// </summary>
public sealed class ActivitiesAndTasksTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _contacts = fixture.Platform.ClientFor(fixture.Platform.Contacts);
    private readonly HttpClient _sales = fixture.Platform.ClientFor(fixture.Platform.Sales);
    private PlatformServices Platform => fixture.Platform;

    private async Task<Guid> PersonAsync()
    {
        var id = (await _contacts.PostJsonAsync("/api/v1/people", Api.NewPerson(firstName: "Grace", lastName: "Hopper"))).Body.Id();
        await Eventually.TrueAsync(async () => await PlatformServices.DirectoryEntryAsync(Platform.Sales, id) is not null, "Sales knows the person");
        return id;
    }

    private async Task<JsonElement> OpportunityAsync(Guid customerId, HttpClient? sales = null) =>
        await (sales ?? _sales).PostJsonAsync("/api/v1/opportunities", new { name = "Cobol migration", amount = 900m, currency = "EUR", customerId }).CreatedAsync();

    private static object ActivityBody(Guid? contactId, Guid? opportunityId = null, string kind = "call", DateTime? occurredAt = null,
        int? durationMinutes = 15, string subject = "Discovery call") =>
        new { kind, subject, body = "Talked about the roadmap.", occurredAt = occurredAt ?? DateTime.UtcNow, durationMinutes, outcome = "interested", contactId, opportunityId };

    private static object TaskBody(Guid? contactId, DateTime dueAt, DateTime? reminderAt = null, string? assigneeId = null, string priority = "high",
        Guid? opportunityId = null) =>
        new { subject = "Send the proposal", dueAt, priority, reminderAt, assigneeId, contactId, opportunityId };

    private Task<string> TokenAsync(string subject, string role, Guid? tenant = null) =>
        Platform.Identity.SignedTokenAsync(subject, tenant ?? TenantContext.DefaultTenantId, role);

    private Task<List<OutboxRow>> EventsAsync<TEvent>(Guid aggregateId) where TEvent : IIntegrationEvent =>
        PlatformServices.QueryAsync(Platform.Sales, async db => (await db.OutboxMessages.AsNoTracking()
                .Where(m => m.EventType == typeof(TEvent).FullName).OrderBy(m => m.Sequence).ToListAsync())
            .Select(m => new OutboxRow(m.ToEvent(), m.PublishedAt is not null))
            .Where(row => row.Event.AggregateId == aggregateId)
            .ToList());

    private sealed record OutboxRow(IIntegrationEvent Event, bool Published);

    /// <summary>A reminder worker of its own over Sales' database, as a freshly started Sales would run it.</summary>
    private TaskReminders FreshReminderWorker() => ActivatorUtilities.CreateInstance<TaskReminders>(Platform.Sales.Services);

    [Fact]
    public async Task An_activity_is_logged_with_its_links_listed_by_filter_and_announced_once_with_the_tenant()
    {
        var person = await PersonAsync();
        var opportunity = await OpportunityAsync(person);
        var call = await _sales.PostJsonAsync("/api/v1/activities", ActivityBody(person, opportunity.Id())).CreatedAsync();
        Assert.Equal("call", call.Str("kind"));
        Assert.Equal(15, call.GetProperty("durationMinutes").GetInt32());
        Assert.Equal(call.Str("createdBy"), call.Str("ownerId"));
        var note = await _sales.PostJsonAsync("/api/v1/activities", ActivityBody(person, kind: "note", durationMinutes: null, subject: "Prefers email")).CreatedAsync();

        var calls = (await _sales.GetJsonAsync($"/api/v1/activities?filter[contactId]={person}&filter[kind]=call")).Items();
        Assert.Equal([call.Id()], calls.Select(a => a.Id()));
        Assert.Equal(2, (await _sales.GetJsonAsync($"/api/v1/activities?filter[contactId]={person}")).Items().Count);
        Assert.Equal([call.Id()], (await _sales.GetJsonAsync($"/api/v1/activities?filter[opportunityId]={opportunity.Id()}")).Items().Select(a => a.Id()));

        var logged = await Eventually.ReturnsAsync(() => EventsAsync<ActivityLogged>(call.Id()), rows => rows.Any(r => r.Published), "ActivityLogged is published");
        var only = (ActivityLogged)Assert.Single(logged).Event;
        Assert.Equal(TenantContext.DefaultTenantId, only.TenantId);
        Assert.Equal(("call", person, opportunity.Id()), (only.Kind, only.ContactId, only.OpportunityId));

        // An update is not a new activity: still one ActivityLogged.
        var renamed = await _sales.PutJsonAsync($"/api/v1/activities/{call.Id()}", ActivityBody(person, opportunity.Id(), subject: "Discovery call (2)"), call.ETag());
        Assert.Equal(HttpStatusCode.OK, renamed.Status);
        (await _sales.PutJsonAsync($"/api/v1/activities/{call.Id()}", ActivityBody(person), call.ETag())).AssertProblem(HttpStatusCode.PreconditionFailed);
        Assert.Single(await EventsAsync<ActivityLogged>(call.Id()));
        Assert.Single(await EventsAsync<ActivityLogged>(note.Id()));

        // Deleting history is for managers and admins.
        var rep = Platform.ClientFor(Platform.Sales, await TokenAsync(call.Str("ownerId"), Roles.SalesRep));
        (await rep.DeleteJsonAsync($"/api/v1/activities/{note.Id()}", note.ETag())).AssertProblem(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.NoContent, (await _sales.DeleteJsonAsync($"/api/v1/activities/{note.Id()}", note.ETag())).Status);
        (await _sales.GetJsonAsync($"/api/v1/activities/{note.Id()}")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Unknown_links_are_422_and_malformed_activities_400()
    {
        var person = await PersonAsync();
        var unknownContact = await _sales.PostJsonAsync("/api/v1/activities", ActivityBody(Guid.NewGuid()));
        unknownContact.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.True(unknownContact.Body.GetProperty("errors").TryGetProperty("contactId", out _));
        var unknownOpportunity = await _sales.PostJsonAsync("/api/v1/activities", ActivityBody(person, Guid.NewGuid()));
        unknownOpportunity.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.True(unknownOpportunity.Body.GetProperty("errors").TryGetProperty("opportunityId", out _));
        (await _sales.PostJsonAsync("/api/v1/tasks", TaskBody(Guid.NewGuid(), DateTime.UtcNow.AddDays(1)))).AssertProblem(HttpStatusCode.UnprocessableEntity);
        (await _sales.PostJsonAsync("/api/v1/tasks", TaskBody(person, DateTime.UtcNow.AddDays(1), opportunityId: Guid.NewGuid())))
            .AssertProblem(HttpStatusCode.UnprocessableEntity);

        (await _sales.PostJsonAsync("/api/v1/activities", ActivityBody(null))).AssertProblem(HttpStatusCode.BadRequest);
        (await _sales.PostJsonAsync("/api/v1/activities", ActivityBody(person, kind: "note", durationMinutes: 5))).AssertProblem(HttpStatusCode.BadRequest);
        (await _sales.PostJsonAsync("/api/v1/activities", ActivityBody(person, kind: "fax"))).AssertProblem(HttpStatusCode.BadRequest);
        (await _sales.PostJsonAsync("/api/v1/tasks", TaskBody(person, DateTime.UtcNow, priority: "urgent"))).AssertProblem(HttpStatusCode.BadRequest);
        (await _sales.GetJsonAsync("/api/v1/timeline")).AssertProblem(HttpStatusCode.BadRequest);
        (await _sales.GetJsonAsync($"/api/v1/timeline?personId={person}&opportunityId={Guid.NewGuid()}")).AssertProblem(HttpStatusCode.BadRequest);
        (await _sales.GetJsonAsync($"/api/v1/timeline?personId={person}&cursor=garbage")).AssertProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_task_defaults_to_its_creator_and_due_time_and_is_completed_once()
    {
        var person = await PersonAsync();
        var due = DateTime.UtcNow.AddDays(2);
        var task = await _sales.PostJsonAsync("/api/v1/tasks", TaskBody(person, due)).CreatedAsync();
        Assert.Equal(task.Str("createdBy"), task.Str("assigneeId"));
        Assert.Equal(task.GetProperty("dueAt").GetDateTime(), task.GetProperty("reminderAt").GetDateTime());
        Assert.Equal(("open", "high"), (task.Str("status"), task.Str("priority")));

        var completed = await _sales.SendJsonAsync(HttpMethod.Post, $"/api/v1/tasks/{task.Id()}/complete", ifMatch: task.ETag());
        Assert.Equal(HttpStatusCode.OK, completed.Status);
        Assert.Equal("completed", completed.Body.Str("status"));
        Assert.Equal(JsonValueKind.String, completed.Body.GetProperty("completedAt").ValueKind);
        (await _sales.SendJsonAsync(HttpMethod.Post, $"/api/v1/tasks/{task.Id()}/complete", ifMatch: completed.Body.ETag()))
            .AssertProblem(HttpStatusCode.Conflict);
        (await _sales.SendJsonAsync(HttpMethod.Post, $"/api/v1/tasks/{task.Id()}/complete", ifMatch: task.ETag()))
            .AssertProblem(HttpStatusCode.PreconditionFailed);

        var open = await _sales.PostJsonAsync("/api/v1/tasks", TaskBody(person, due, assigneeId: "someone-else", priority: "low")).CreatedAsync();
        Assert.Equal("someone-else", open.Str("assigneeId"));
        Assert.Equal([task.Id()], (await _sales.GetJsonAsync($"/api/v1/tasks?filter[contactId]={person}&filter[status]=completed")).Items().Select(t => t.Id()));
        Assert.Equal([open.Id()], (await _sales.GetJsonAsync($"/api/v1/tasks?filter[contactId]={person}&filter[status]=open")).Items().Select(t => t.Id()));

        // A completed task's reminder is never published, even when it is moved into the past.
        var moved = await _sales.PutJsonAsync($"/api/v1/tasks/{task.Id()}", TaskBody(person, due, reminderAt: DateTime.UtcNow.AddMinutes(-1)), completed.Body.ETag());
        Assert.Equal(HttpStatusCode.OK, moved.Status);
        await FreshReminderWorker().PublishDueAsync(CancellationToken.None);
        Assert.Empty(await EventsAsync<TaskDue>(task.Id()));
    }

    [Fact]
    public async Task TaskDue_is_published_once_at_the_reminder_time_and_once_more_only_when_re_armed()
    {
        var person = await PersonAsync();
        var reminderAt = DateTime.UtcNow.AddSeconds(3);
        var task = await _sales.PostJsonAsync("/api/v1/tasks", TaskBody(person, DateTime.UtcNow.AddHours(1), reminderAt)).CreatedAsync();

        // Not before its time (checked only while it is surely before, so a slow machine does not fail the test).
        await FreshReminderWorker().PublishDueAsync(CancellationToken.None);
        var early = await EventsAsync<TaskDue>(task.Id());
        if (DateTime.UtcNow < reminderAt)
        {
            Assert.Empty(early);
        }

        var first = await Eventually.ReturnsAsync(() => EventsAsync<TaskDue>(task.Id()), rows => rows.Any(r => r.Published), "TaskDue is published");
        var due = (TaskDue)Assert.Single(first).Event;
        Assert.True(due.OccurredAt >= reminderAt.AddMilliseconds(-1), $"published at {due.OccurredAt:O}, before the reminder time {reminderAt:O}");
        Assert.Equal(TenantContext.DefaultTenantId, due.TenantId);
        Assert.Equal(task.Str("assigneeId"), due.AssigneeId);
        Assert.Equal(task.GetProperty("reminderAt").GetDateTime(), due.ReminderAt);

        // Another worker (a second instance, or the same one again) finds nothing left to publish; the task's version is untouched.
        Assert.Equal(0, await CountPublishedForAsync(task.Id()));
        var read = await _sales.GetJsonAsync($"/api/v1/tasks/{task.Id()}");
        Assert.Equal(task.ETag(), read.Body.ETag());
        Assert.Equal(due.ReminderAt, read.Body.GetProperty("remindedAt").GetDateTime());

        // The same reminder time again does not re-arm it; a new one does, once.
        var same = await _sales.PutJsonAsync($"/api/v1/tasks/{task.Id()}", TaskBody(person, due.DueAt, due.ReminderAt), read.Body.ETag());
        Assert.Equal(HttpStatusCode.OK, same.Status);
        Assert.Equal(0, await CountPublishedForAsync(task.Id()));
        var later = DateTime.UtcNow.AddSeconds(1);
        var rearmed = await _sales.PutJsonAsync($"/api/v1/tasks/{task.Id()}", TaskBody(person, due.DueAt, later), same.Body.ETag());
        Assert.Equal(HttpStatusCode.OK, rearmed.Status);
        var both = await Eventually.ReturnsAsync(() => EventsAsync<TaskDue>(task.Id()), rows => rows.Count == 2 && rows.All(r => r.Published), "the re-armed TaskDue is published");
        Assert.Equal(rearmed.Body.GetProperty("reminderAt").GetDateTime(), ((TaskDue)both[1].Event).ReminderAt);
        Assert.Equal(0, await CountPublishedForAsync(task.Id()));
        Assert.Equal(2, (await EventsAsync<TaskDue>(task.Id())).Count);
    }

    /// <summary>Runs a fresh worker once; how many TaskDue events it added for the task.</summary>
    private async Task<int> CountPublishedForAsync(Guid taskId)
    {
        var before = (await EventsAsync<TaskDue>(taskId)).Count;
        await FreshReminderWorker().PublishDueAsync(CancellationToken.None);
        return (await EventsAsync<TaskDue>(taskId)).Count - before;
    }

    [Fact]
    public async Task A_reminder_that_came_due_while_Sales_was_down_is_published_by_the_next_worker_once()
    {
        var person = await PersonAsync();
        // Written straight to the database with a reminder already past, as if Sales had been down when it came due:
        // no request woke the running worker, so only what the database says can make it go out.
        var task = new SalesTask { Subject = "Call back after the outage", ContactId = person, OwnerId = "rep-on-holiday" };
        task.Schedule(DateTime.UtcNow.AddMinutes(-10), DateTime.UtcNow.AddMinutes(-5));
        await PlatformServices.QueryAsync(Platform.Sales, async db =>
        {
            db.Tasks.Add(task);
            return await db.SaveChangesAsync();
        });

        var published = await FreshReminderWorker().PublishDueAsync(CancellationToken.None);
        var rows = await EventsAsync<TaskDue>(task.Id);
        var due = (TaskDue)Assert.Single(rows).Event;
        Assert.True(published >= 1 || rows.Count == 1);
        Assert.Equal(("rep-on-holiday", TenantContext.DefaultTenantId), (due.AssigneeId, due.TenantId));

        await FreshReminderWorker().PublishDueAsync(CancellationToken.None);
        await Eventually.TrueAsync(async () => (await EventsAsync<TaskDue>(task.Id)).All(r => r.Published), "the broker confirmed TaskDue");
        Assert.Single(await EventsAsync<TaskDue>(task.Id));
    }

    [Fact]
    public async Task The_timeline_pages_newest_first_through_activities_and_tasks_of_one_record_only()
    {
        var person = await PersonAsync();
        var other = await PersonAsync();
        var start = DateTime.UtcNow.AddDays(-10);
        var expected = new List<(Guid Id, DateTime At)>();
        foreach (var day in new[] { 3, 0, 7, 5, 1 })
        {
            var kind = day % 2 == 0 ? "meeting" : "email";
            var at = start.AddDays(day);
            var activity = await _sales.PostJsonAsync("/api/v1/activities",
                ActivityBody(person, kind: kind, occurredAt: at, durationMinutes: kind == "meeting" ? 30 : null)).CreatedAsync();
            expected.Add((activity.Id(), at));
        }
        var task = await _sales.PostJsonAsync("/api/v1/tasks", TaskBody(person, start.AddDays(4))).CreatedAsync();
        expected.Add((task.Id(), start.AddDays(4)));
        var done = await _sales.PostJsonAsync("/api/v1/tasks", TaskBody(person, start.AddDays(20))).CreatedAsync();
        var completed = (await _sales.SendJsonAsync(HttpMethod.Post, $"/api/v1/tasks/{done.Id()}/complete", ifMatch: done.ETag())).Body;
        expected.Add((done.Id(), completed.GetProperty("completedAt").GetDateTime()));
        await _sales.PostJsonAsync("/api/v1/activities", ActivityBody(other)).CreatedAsync();

        var seen = new List<JsonElement>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await _sales.GetJsonAsync($"/api/v1/timeline?personId={person}&limit=3" + (cursor is null ? "" : $"&cursor={cursor}"));
            seen.AddRange(page.Items());
            cursor = page.Body.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(expected.OrderByDescending(e => e.At).Select(e => e.Id), seen.Select(i => i.Id()));
        var taskItem = seen.Single(i => i.Id() == task.Id());
        Assert.Equal(("task", $"/api/v1/tasks/{task.Id()}"), (taskItem.Str("kind"), taskItem.Str("link")));
        Assert.Equal("task.completed", seen.Single(i => i.Id() == done.Id()).Str("kind"));
        Assert.Contains(seen, i => i.Str("kind") == "activity.meeting" && i.Str("link") == $"/api/v1/activities/{i.Id()}");
    }

    [Fact]
    public async Task An_opportunitys_timeline_shows_its_stage_changes_and_its_sent_quotes_at_their_latest_step()
    {
        var opportunity = await OpportunityAsync(await PersonAsync());
        var call = await _sales.PostJsonAsync("/api/v1/activities", ActivityBody(null, opportunity.Id(), occurredAt: DateTime.UtcNow.AddDays(-1))).CreatedAsync();
        var product = await _sales.PostJsonAsync("/api/v1/products", new { sku = $"SKU-{Guid.NewGuid():N}"[..16], name = "Compiler" }).CreatedAsync();
        var book = await _sales.PostJsonAsync("/api/v1/price-books",
            new { name = "List EUR", currency = "EUR", entries = new[] { new { productId = product.Id(), unitPrice = 10m } } }).CreatedAsync();
        var validUntil = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(30).ToString("yyyy-MM-dd");
        var draft = await _sales.PostJsonAsync("/api/v1/quotes", new
        {
            opportunityId = opportunity.Id(), priceBookId = book.Id(), validUntil, lines = new[] { new { productId = product.Id(), quantity = 1 } },
        }).CreatedAsync();
        Assert.DoesNotContain((await _sales.GetJsonAsync($"/api/v1/timeline?opportunityId={opportunity.Id()}")).Items(), i => i.Id() == draft.Id());

        var sent = await _sales.SendJsonAsync(HttpMethod.Post, $"/api/v1/quotes/{draft.Id()}/send", ifMatch: draft.ETag());
        Assert.Equal(HttpStatusCode.OK, sent.Status);
        var accepted = await _sales.SendJsonAsync(HttpMethod.Post, $"/api/v1/quotes/{draft.Id()}/accept", ifMatch: sent.Body.ETag());
        Assert.Equal(HttpStatusCode.OK, accepted.Status);

        var moved = await _sales.PutJsonAsync($"/api/v1/opportunities/{opportunity.Id()}/stage", new { stage = "proposal" }, Api.AnyVersion);
        Assert.Equal(HttpStatusCode.OK, moved.Status);

        var items = (await _sales.GetJsonAsync($"/api/v1/timeline?opportunityId={opportunity.Id()}")).Items();
        Assert.Equal(["opportunity.stage-changed", "quote.accepted", "opportunity.created", "activity.call"], items.Select(i => i.Str("kind")));
        Assert.Equal([draft.Id(), call.Id()], items.Where(i => !i.Str("kind").StartsWith("opportunity.", StringComparison.Ordinal)).Select(i => i.Id()));
        Assert.Equal(("quote.accepted", $"/api/v1/quotes/{draft.Id()}"), (items[1].Str("kind"), items[1].Str("link")));
        Assert.Equal(accepted.Body.GetProperty("decidedAt").GetDateTime(), items[1].GetProperty("occurredAt").GetDateTime());
        var stage = items[0];
        Assert.Equal(("proposal", $"/api/v1/opportunities/{opportunity.Id()}/stage-history"), (stage.Str("title"), stage.Str("link")));
        Assert.Equal(opportunity.Str("stage"), stage.Str("summary"));
    }

    [Fact]
    public async Task A_reps_manager_sees_the_teams_activities_and_tasks_on_the_timeline()
    {
        var admin = Platform.ClientFor(Platform.Identity.Factory);
        var rep = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        var manager = await IdentityApi.NewUserAsync(admin, Roles.SalesManager);
        var otherManager = await IdentityApi.NewUserAsync(admin, Roles.SalesManager);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostJsonAsync("/api/v1/teams", new { name = "Gamma", memberIds = new[] { rep.Id, manager.Id } })).Status);

        var person = await PersonAsync();
        var repSales = Platform.ClientFor(Platform.Sales, await TokenAsync(rep.Id.ToString(), Roles.SalesRep));
        var call = await repSales.PostJsonAsync("/api/v1/activities", ActivityBody(person)).CreatedAsync();
        var task = await repSales.PostJsonAsync("/api/v1/tasks", TaskBody(person, DateTime.UtcNow.AddDays(1))).CreatedAsync();

        var managerSales = Platform.ClientFor(Platform.Sales, await TokenAsync(manager.Id.ToString(), Roles.SalesManager));
        await Eventually.TrueAsync(async () => (await managerSales.GetJsonAsync($"/api/v1/timeline?personId={person}")).Items().Count == 2,
            "the rep's manager sees the team's timeline");
        Assert.Equal(HttpStatusCode.OK, (await managerSales.GetJsonAsync($"/api/v1/tasks/{task.Id()}")).Status);
        var otherSales = Platform.ClientFor(Platform.Sales, await TokenAsync(otherManager.Id.ToString(), Roles.SalesManager));
        Assert.Empty((await otherSales.GetJsonAsync($"/api/v1/timeline?personId={person}")).Items());
        (await otherSales.GetJsonAsync($"/api/v1/activities/{call.Id()}")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Record_scopes_and_tenants_keep_activities_tasks_and_timeline_entries_apart()
    {
        var person = await PersonAsync();
        var rep = Guid.NewGuid().ToString();
        var repSales = Platform.ClientFor(Platform.Sales, await TokenAsync(rep, Roles.SalesRep));
        var opportunity = await OpportunityAsync(person, repSales);
        var mine = await repSales.PostJsonAsync("/api/v1/activities", ActivityBody(person, opportunity.Id())).CreatedAsync();
        Assert.Equal(rep, mine.Str("ownerId"));
        var task = await repSales.PostJsonAsync("/api/v1/tasks", TaskBody(person, DateTime.UtcNow.AddDays(1))).CreatedAsync();
        var adminNote = await _sales.PostJsonAsync("/api/v1/activities", ActivityBody(person, kind: "note", durationMinutes: null)).CreatedAsync();

        // The rep sees their own, not the admin's note; another rep outside their team sees neither, and cannot link to the rep's opportunity.
        Assert.Equal([task.Id(), mine.Id()], (await repSales.GetJsonAsync($"/api/v1/timeline?personId={person}")).Items().Select(i => i.Id()));
        var outsider = Platform.ClientFor(Platform.Sales, await TokenAsync(Guid.NewGuid().ToString(), Roles.SalesRep));
        Assert.Empty((await outsider.GetJsonAsync($"/api/v1/timeline?personId={person}")).Items());
        Assert.Empty((await outsider.GetJsonAsync($"/api/v1/timeline?opportunityId={opportunity.Id()}")).Items());
        (await outsider.GetJsonAsync($"/api/v1/activities/{mine.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await outsider.GetJsonAsync($"/api/v1/tasks/{task.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await outsider.PostJsonAsync("/api/v1/activities", ActivityBody(person, opportunity.Id()))).AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.DoesNotContain((await outsider.GetJsonAsync($"/api/v1/activities?filter[contactId]={person}")).Items(), a => a.Id() == mine.Id());

        // Read-only users see the tenant; they cannot log anything.
        var reader = Platform.ClientFor(Platform.Sales, await TokenAsync(Guid.NewGuid().ToString(), Roles.ReadOnly));
        Assert.Equal(3, (await reader.GetJsonAsync($"/api/v1/timeline?personId={person}")).Items().Count);
        (await reader.PostJsonAsync("/api/v1/activities", ActivityBody(person))).AssertProblem(HttpStatusCode.Forbidden);

        // Another tenant sees nothing and knows neither the person nor the opportunity.
        var otherTenant = Platform.ClientFor(Platform.Sales, await TokenAsync(Guid.NewGuid().ToString(), Roles.Admin, Guid.NewGuid()));
        Assert.Empty((await otherTenant.GetJsonAsync($"/api/v1/timeline?personId={person}")).Items());
        (await otherTenant.GetJsonAsync($"/api/v1/activities/{adminNote.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await otherTenant.GetJsonAsync($"/api/v1/tasks/{task.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await otherTenant.PostJsonAsync("/api/v1/activities", ActivityBody(person))).AssertProblem(HttpStatusCode.UnprocessableEntity);
        (await otherTenant.PostJsonAsync("/api/v1/tasks", TaskBody(null, DateTime.UtcNow, opportunityId: opportunity.Id()))).AssertProblem(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task An_access_request_exports_the_persons_activities_and_tasks_and_an_erasure_removes_their_text()
    {
        var steps = new GdprSteps(Platform);
        var person = await steps.PersonEverywhereAsync("Dorothy", "Vaughan");
        var call = await _sales.PostJsonAsync("/api/v1/activities",
            new { kind = "call", subject = "Dorothy's home number", body = "Her daughter answered", occurredAt = DateTime.UtcNow, outcome = "call back", contactId = person })
            .CreatedAsync();
        var task = await _sales.PostJsonAsync("/api/v1/tasks",
            new { subject = "Ask Dorothy about her health", notes = "She mentioned surgery", dueAt = DateTime.UtcNow.AddDays(3), contactId = person }).CreatedAsync();

        var access = await steps.CompletedRequestAsync(person, "access");
        var export = await steps.Contacts.GetJsonAsync($"{GdprSteps.RequestsUrl}/{access.Id()}/export");
        var data = export.Body.GetProperty("services").GetProperty("sales").GetProperty("data").GetProperty("activities");
        Assert.Equal("Her daughter answered", Assert.Single(data.GetProperty("activities").EnumerateArray().ToList()).Str("body"));
        Assert.Equal("She mentioned surgery", Assert.Single(data.GetProperty("tasks").EnumerateArray().ToList()).Str("notes"));

        var erasure = await steps.CompletedRequestAsync(person, "erasure");
        Assert.Equal(2, erasure.GetProperty("services")[1].GetProperty("erased").GetProperty("activities").GetInt32());
        var keptCall = (await _sales.GetJsonAsync($"/api/v1/activities/{call.Id()}")).Body;
        Assert.Equal(("(erased)", JsonValueKind.Null, JsonValueKind.Null, "call"),
            (keptCall.Str("subject"), keptCall.GetProperty("body").ValueKind, keptCall.GetProperty("outcome").ValueKind, keptCall.Str("kind")));
        var keptTask = (await _sales.GetJsonAsync($"/api/v1/tasks/{task.Id()}")).Body;
        Assert.Equal(("(erased)", JsonValueKind.Null), (keptTask.Str("subject"), keptTask.GetProperty("notes").ValueKind));
        foreach (var id in new[] { call.Id(), task.Id() })
        {
            var audit = await _sales.GetJsonAsync($"/api/v1/audit?entityId={id}");
            Assert.Equal(HttpStatusCode.OK, audit.Status);
            Assert.DoesNotContain("Dorothy", audit.Body.GetRawText());
            Assert.DoesNotContain("surgery", audit.Body.GetRawText());
        }
    }
}
