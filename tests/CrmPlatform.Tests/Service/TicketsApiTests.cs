using System.Net;
using System.Text.Json;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.Service.Data;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CrmPlatform.Tests.Service.ServiceTestData;

namespace CrmPlatform.Tests.Service;

/// <summary>
/// Tickets through Service's API on real PostgreSQL and RabbitMQ: validation, the status rules, the conversation,
/// requesters from Contacts (an unknown address becomes a person there, end to end through the broker), events,
/// permissions of the support and sales roles, tenant isolation.
/// </summary>
public sealed class TicketsApiTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;
    private readonly HttpClient _service = fixture.Platform.ClientFor(fixture.Platform.Service);

    private Task<string> TokenAsync(string subject, string role, Guid? tenant = null) =>
        Platform.Identity.SignedTokenAsync(subject, tenant ?? TenantContext.DefaultTenantId, role);

    private async Task<HttpClient> ClientAsync(string subject, string role, Guid? tenant = null) =>
        Platform.ClientFor(Platform.Service, await TokenAsync(subject, role, tenant));

    [Fact]
    public async Task Invalid_tickets_are_refused_with_problems_naming_the_fields_and_nothing_is_written()
    {
        var before = await PlatformServices.QueryAsync(Platform.Service, db => db.Tickets.CountAsync());
        var blank = await _service.PostJsonAsync("/api/v1/tickets", new { subject = " " });
        blank.AssertProblem(HttpStatusCode.BadRequest);
        var errors = blank.Body.GetProperty("errors");
        Assert.True(errors.TryGetProperty("subject", out _));
        Assert.True(errors.TryGetProperty("requesterId", out _));

        var bad = await _service.PostJsonAsync("/api/v1/tickets", new
        {
            subject = new string('x', 301), requesterEmail = "not-an-address", channel = "fax", priority = "asap", language = "german language",
            status = "solved", tags = new[] { "" },
        });
        bad.AssertProblem(HttpStatusCode.BadRequest);
        foreach (var field in new[] { "subject", "requesterEmail", "channel", "priority", "language", "status", "tags" })
        {
            Assert.True(bad.Body.GetProperty("errors").TryGetProperty(field, out _), field);
        }

        (await _service.PostJsonAsync("/api/v1/tickets", Ticket(requesterId: Guid.NewGuid()))).AssertProblem(HttpStatusCode.UnprocessableEntity);
        (await _service.PostJsonAsync("/api/v1/tickets", Ticket(requesterEmail: NewEmail(), groupId: Guid.NewGuid()))).AssertProblem(HttpStatusCode.UnprocessableEntity);
        (await _service.SendJsonAsync(HttpMethod.Post, "/api/v1/tickets", "{\"subject\":")).AssertProblem(HttpStatusCode.BadRequest);
        (await _service.GetJsonAsync("/api/v1/tickets?filter[colour]=red")).AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(before, await PlatformServices.QueryAsync(Platform.Service, db => db.Tickets.CountAsync()));
    }

    [Fact]
    public async Task A_ticket_for_a_known_person_moves_only_as_the_rules_allow_and_announces_each_change()
    {
        var person = await KnownPersonAsync(Platform);
        var created = await _service.PostJsonAsync("/api/v1/tickets", Ticket(requesterId: person.Id(), priority: "high", tags: ["VIP", "printer"]));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var ticket = created.Body;
        Assert.Equal($"/api/v1/tickets/{ticket.Id()}", created.Response.Headers.Location?.ToString());
        Assert.Equal("\"1\"", created.Response.Headers.ETag?.Tag);
        Assert.Equal(("new", "high", "api", "known"), (ticket.Str("status"), ticket.Str("priority"), ticket.Str("channel"), ticket.GetProperty("requester").Str("state")));
        Assert.Equal(person.Id(), ticket.GetProperty("requester").Id());
        Assert.Equal(person.Str("email"), ticket.GetProperty("requester").Str("email"));
        Assert.Equal(["printer", "vip"], ticket.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.True(ticket.GetProperty("number").GetInt64() > 0);
        var url = $"/api/v1/tickets/{ticket.Id()}";

        Task<ApiAnswer> MoveAsync(string status, string ifMatch) => _service.PutJsonAsync(url, new
        {
            subject = "Printer on fire", description = "It smells of smoke.", requesterId = person.Id(), priority = "high", tags = new[] { "vip", "printer" }, status,
        }, ifMatch);

        // If-Match is required and must be current.
        (await MoveAsync("open", null!)).AssertProblem(HttpStatusCode.PreconditionRequired);
        (await MoveAsync("open", "\"7\"")).AssertProblem(HttpStatusCode.PreconditionFailed);
        // Not back to new, not closed before solved.
        var illegal = await MoveAsync("closed", ticket.ETag());
        illegal.AssertProblem(HttpStatusCode.Conflict);
        Assert.Contains("solved", illegal.Body.GetProperty("allowedStatuses").EnumerateArray().Select(s => s.GetString()));

        var open = await MoveAsync("open", ticket.ETag());
        Assert.Equal(HttpStatusCode.OK, open.Status);
        (await MoveAsync("new", open.Body.ETag())).AssertProblem(HttpStatusCode.Conflict);
        var pending = await MoveAsync("pending", open.Body.ETag());
        var solved = await MoveAsync("solved", pending.Body.ETag());
        Assert.Equal("solved", solved.Body.Str("status"));
        Assert.False(solved.Body.GetProperty("solvedAt").ValueKind == System.Text.Json.JsonValueKind.Null);
        (await MoveAsync("pending", solved.Body.ETag())).AssertProblem(HttpStatusCode.Conflict);
        var closed = await MoveAsync("closed", solved.Body.ETag());
        Assert.Equal(("closed", 5), (closed.Body.Str("status"), closed.Body.GetProperty("version").GetInt32()));
        // Closed is final: no move, no message.
        (await MoveAsync("open", closed.Body.ETag())).AssertProblem(HttpStatusCode.Conflict);
        (await _service.PostJsonAsync($"{url}/messages", new { body = "Hello?" })).AssertProblem(HttpStatusCode.Conflict);

        var createdEvent = Assert.Single(await ServiceEventsAsync<TicketCreated>(Platform, ticket.Id()));
        Assert.Equal((TenantContext.DefaultTenantId, 1, "new", (Guid?)person.Id()), (createdEvent.TenantId, createdEvent.Version, createdEvent.Ticket.Status, createdEvent.Ticket.RequesterId));
        var updates = await ServiceEventsAsync<TicketUpdated>(Platform, ticket.Id());
        Assert.Equal([2, 3, 4, 5], updates.Select(u => u.Version));
        Assert.All(updates, u => Assert.Equal(["status"], u.ChangedFields));
        Assert.Equal(["new", "open", "pending", "solved"], updates.Select(u => u.PreviousStatus));
        Assert.Equal(4, Assert.Single(await ServiceEventsAsync<TicketSolved>(Platform, ticket.Id())).Version);
        var closedEvent = Assert.Single(await ServiceEventsAsync<TicketClosed>(Platform, ticket.Id()));
        Assert.Equal((5, "closed"), (closedEvent.Version, closedEvent.Ticket.Status));
        // The outbox publishes them to the broker.
        await Eventually.TrueAsync(() => PlatformServices.QueryAsync(Platform.Service,
            db => db.OutboxMessages.Where(m => m.EventType == typeof(TicketClosed).FullName).AllAsync(m => m.PublishedAt != null)), "the events are published");
    }

    [Fact]
    public async Task An_update_names_what_changed_and_a_new_assignee_is_recorded()
    {
        var person = await KnownPersonAsync(Platform);
        var ticket = await _service.PostJsonAsync("/api/v1/tickets", Ticket(requesterId: person.Id())).CreatedAsync();
        var updated = await _service.PutJsonAsync($"/api/v1/tickets/{ticket.Id()}", new
        {
            subject = "Printer on fire", description = "It smells of smoke.", priority = "urgent", category = "Hardware", assigneeId = "agent-7",
        }, ticket.ETag());
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal(("urgent", "hardware", "agent-7"), (updated.Body.Str("priority"), updated.Body.Str("category"), updated.Body.Str("assigneeId")));
        var update = Assert.Single(await ServiceEventsAsync<TicketUpdated>(Platform, ticket.Id()));
        Assert.Equal(["assigneeId", "category", "priority"], update.ChangedFields.Order());
        Assert.Null(update.PreviousStatus);
        var history = (await _service.GetJsonAsync($"/api/v1/tickets/{ticket.Id()}/assignments")).Body.EnumerateArray().ToList();
        var manual = Assert.Single(history);
        Assert.Equal(("agent-7", "manual"), (manual.Str("assigneeId"), manual.Str("trigger")));

        // The same values again change nothing: no write, no event.
        var same = await _service.PutJsonAsync($"/api/v1/tickets/{ticket.Id()}", new
        {
            subject = "Printer on fire", description = "It smells of smoke.", priority = "urgent", category = "hardware", assigneeId = "agent-7",
        }, updated.Body.ETag());
        Assert.Equal(updated.Body.GetProperty("version").GetInt32(), same.Body.GetProperty("version").GetInt32());
        Assert.Single(await ServiceEventsAsync<TicketUpdated>(Platform, ticket.Id()));

        // Audited: the creation and the one real change, with the fields it changed.
        var audit = (await _service.GetJsonAsync($"/api/v1/audit?entityType=ticket&entityId={ticket.Id()}")).Items();
        Assert.Equal(["created", "updated"], audit.Select(e => e.Str("action")));

        // Lists filter and sort on the declared fields.
        var listed = (await _service.GetJsonAsync("/api/v1/tickets?filter[assigneeId]=agent-7&filter[priority]=urgent&sort=-number")).Items();
        Assert.Contains(ticket.Id(), listed.Select(t => t.Id()));
        Assert.All(listed, t => Assert.Equal("urgent", t.Str("priority")));
    }

    [Fact]
    public async Task An_unknown_address_becomes_a_person_in_Contacts_and_the_ticket_is_linked_to_them()
    {
        var email = NewEmail();
        var ticket = await _service.PostJsonAsync("/api/v1/tickets", Ticket(requesterEmail: email.ToUpperInvariant(), requesterName: "Grace Brewster Hopper")).CreatedAsync();
        Assert.Equal(("requested", email), (ticket.GetProperty("requester").Str("state"), ticket.GetProperty("requester").Str("email")));

        var linked = await Eventually.ReturnsAsync(() => _service.GetJsonAsync($"/api/v1/tickets/{ticket.Id()}"),
            answer => answer.Body.GetProperty("requester").Str("state") == "known", "the ticket knows its requester");
        var personId = linked.Body.GetProperty("requester").Id();

        // The person is Contacts' own, made once, with the ticket's address and name.
        var person = (await Platform.ClientFor(Platform.Contacts).GetJsonAsync($"/api/v1/people/{personId}")).Body;
        Assert.Equal((email, "Grace Brewster", "Hopper"), (person.Str("email"), person.Str("firstName"), person.Str("lastName")));
        Assert.Single(await OutboxEventsAsync<CrmPlatform.Contacts.Data.ContactsDbContext, PersonCreated>(Platform.Contacts, e => e.AggregateId == personId));
        var resolved = Assert.Single(await OutboxEventsAsync<CrmPlatform.Contacts.Data.ContactsDbContext, TicketRequesterResolved>(Platform.Contacts, e => e.TicketId == ticket.Id()));
        Assert.True(resolved.PersonCreated);
        Assert.Equal(TenantContext.DefaultTenantId, resolved.TenantId);
        var request = Assert.Single(await ServiceEventsAsync<TicketRequesterRequested>(Platform, ticket.Id()));
        Assert.Equal((email, personId), (request.Email, request.NewPersonId));
        var update = Assert.Single(await ServiceEventsAsync<TicketUpdated>(Platform, ticket.Id()));
        Assert.Equal(["requesterId"], update.ChangedFields);
        Assert.Equal(personId, update.Ticket.RequesterId);

        // A second ticket from the same address finds the person at once, without asking Contacts again.
        await Eventually.TrueAsync(async () => await PlatformServices.QueryAsync(Platform.Service,
            db => db.DirectoryContacts.AnyAsync(c => c.Id == personId && c.Version > 0)), "Service has the person's own event");
        var again = await _service.PostJsonAsync("/api/v1/tickets", Ticket(requesterEmail: email)).CreatedAsync();
        Assert.Equal(("known", personId), (again.GetProperty("requester").Str("state"), again.GetProperty("requester").Id()));
        Assert.Empty(await ServiceEventsAsync<TicketRequesterRequested>(Platform, again.Id()));

        // An address Contacts already has (but Service's directory not yet: asked right away) is that person, not a new one.
        var existing = await Platform.ClientFor(Platform.Contacts).PostJsonAsync("/api/v1/people", Api.NewPerson(NewEmail())).CreatedAsync();
        var third = await _service.PostJsonAsync("/api/v1/tickets", Ticket(requesterEmail: existing.Str("email"))).CreatedAsync();
        var thirdLinked = await Eventually.ReturnsAsync(() => _service.GetJsonAsync($"/api/v1/tickets/{third.Id()}"),
            answer => answer.Body.GetProperty("requester").Str("state") == "known", "the third ticket knows its requester");
        Assert.Equal(existing.Id(), thirdLinked.Body.GetProperty("requester").Id());
    }

    [Fact]
    public async Task A_requester_request_delivered_again_makes_no_second_person_and_a_restricted_person_is_not_linked()
    {
        var email = NewEmail();
        var ticketId = Guid.NewGuid();
        var request = new TicketRequesterRequested(Guid.NewGuid(), DateTime.UtcNow, TenantContext.DefaultTenantId, ticketId, 1,
            ticketId, email, "Ada", "Lovelace", Guid.CreateVersion7(), "test");
        var bus = Platform.Service.Services.GetRequiredService<IBus>();
        // The same message twice (the inbox), then the same request as another message (found by email and id).
        await bus.Publish(request, context => context.MessageId = request.EventId);
        await bus.Publish(request, context => context.MessageId = request.EventId);
        await bus.Publish(request with { EventId = Guid.NewGuid() }, context => context.MessageId = Guid.NewGuid());

        var answers = await Eventually.ReturnsAsync(() => OutboxEventsAsync<CrmPlatform.Contacts.Data.ContactsDbContext, TicketRequesterResolved>(
            Platform.Contacts, e => e.TicketId == ticketId), found => found.Count >= 2, "Contacts answers both messages");
        await Task.Delay(500);
        Assert.Equal(2, (await OutboxEventsAsync<CrmPlatform.Contacts.Data.ContactsDbContext, TicketRequesterResolved>(Platform.Contacts, e => e.TicketId == ticketId)).Count);
        Assert.Equal([true, false], answers.Select(a => a.PersonCreated));
        Assert.All(answers, a => Assert.Equal(request.NewPersonId, a.PersonId));
        Assert.Equal(1, await PlatformServices.QueryAsync(Platform.Contacts, db => db.People.IgnoreQueryFilters().CountAsync(p => p.Email == email)));
        Assert.Single(await OutboxEventsAsync<CrmPlatform.Contacts.Data.ContactsDbContext, PersonCreated>(Platform.Contacts, e => e.AggregateId == request.NewPersonId));

        // A person who restricted processing (GDPR Art. 18) is named by no new ticket: by id it is a 422; by address the
        // ticket is kept (they wrote to us) but Contacts refuses the link, and the ticket says why.
        var person = await KnownPersonAsync(Platform);
        var restriction = await Platform.ClientFor(Platform.Contacts).PostJsonAsync("/api/v1/gdpr/requests", new { personId = person.Id(), type = "restriction" });
        Assert.Equal(HttpStatusCode.Created, restriction.Status);
        await Eventually.TrueAsync(async () => (await PlatformServices.DirectoryEntryAsync(Platform.Service, person.Id()))!.ProcessingRestricted,
            "Service knows the restriction");
        (await _service.PostJsonAsync("/api/v1/tickets", Ticket(requesterId: person.Id()))).AssertProblem(HttpStatusCode.UnprocessableEntity);
        var byAddress = await _service.PostJsonAsync("/api/v1/tickets", Ticket(requesterEmail: person.Str("email"))).CreatedAsync();
        var refused = await Eventually.ReturnsAsync(() => _service.GetJsonAsync($"/api/v1/tickets/{byAddress.Id()}"),
            answer => answer.Body.GetProperty("requester").Str("state") != "requested", "Contacts answers about the restricted address");
        Assert.Equal("rejected", refused.Body.GetProperty("requester").Str("state"));
        Assert.Contains("restricted", refused.Body.GetProperty("requester").Str("problem"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, refused.Body.GetProperty("requester").GetProperty("id").ValueKind);
    }

    [Fact]
    public async Task The_conversation_keeps_replies_and_notes_in_order_and_a_customer_reply_reopens_the_ticket()
    {
        var person = await KnownPersonAsync(Platform);
        var ticket = await _service.PostJsonAsync("/api/v1/tickets", Ticket(requesterId: person.Id())).CreatedAsync();
        var messages = $"/api/v1/tickets/{ticket.Id()}/messages";

        (await _service.PostJsonAsync(messages, new { body = "" })).AssertProblem(HttpStatusCode.BadRequest);
        (await _service.PostJsonAsync(messages, new { body = "x", kind = "secret" })).AssertProblem(HttpStatusCode.BadRequest);
        (await _service.PostJsonAsync(messages, new { body = "x", authorKind = "customer", kind = "internal" })).AssertProblem(HttpStatusCode.BadRequest);

        var note = await _service.PostJsonAsync(messages, new { body = "Checked the logs.", kind = "internal" }).CreatedAsync();
        Assert.Equal("new", note.Str("ticketStatus"));
        var reply = await _service.PostJsonAsync(messages, new { body = "Which model is it?", status = "pending" }).CreatedAsync();
        Assert.Equal("pending", reply.Str("ticketStatus"));
        var answer = await _service.PostJsonAsync(messages, new { body = "A LaserJet 4.", authorKind = "customer" }).CreatedAsync();
        Assert.Equal("open", answer.Str("ticketStatus"));
        Assert.Equal(person.Id().ToString(), answer.Str("authorId"));
        // An illegal move with a message writes neither.
        (await _service.PostJsonAsync(messages, new { body = "x", status = "new" })).AssertProblem(HttpStatusCode.Conflict);

        var conversation = (await _service.GetJsonAsync(messages)).Body.EnumerateArray().ToList();
        Assert.Equal(["Checked the logs.", "Which model is it?", "A LaserJet 4."], conversation.Select(m => m.Str("body")));
        Assert.Equal(["internal", "public", "public"], conversation.Select(m => m.Str("kind")));
        Assert.Equal(["agent", "agent", "customer"], conversation.Select(m => m.Str("authorKind")));
        Assert.Equal(["Which model is it?", "A LaserJet 4."], (await _service.GetJsonAsync($"{messages}?kind=public")).Body.EnumerateArray().Select(m => m.Str("body")));

        var statuses = (await ServiceEventsAsync<TicketUpdated>(Platform, ticket.Id())).Select(u => (u.PreviousStatus, u.Ticket.Status));
        Assert.Equal([("new", "pending"), ("pending", "open")], statuses);

        // Solved, then the customer writes again: open once more.
        var current = (await _service.GetJsonAsync($"/api/v1/tickets/{ticket.Id()}")).Body;
        await _service.PostJsonAsync(messages, new { body = "Replaced the fuser.", status = "solved" }).CreatedAsync();
        var reopened = await _service.PostJsonAsync(messages, new { body = "It burns again.", authorKind = "customer" }).CreatedAsync();
        Assert.Equal("open", reopened.Str("ticketStatus"));
        Assert.Single(await ServiceEventsAsync<TicketSolved>(Platform, ticket.Id()));
        Assert.True(current.GetProperty("version").GetInt32() < (await _service.GetJsonAsync($"/api/v1/tickets/{ticket.Id()}")).Body.GetProperty("version").GetInt32());
        (await _service.GetJsonAsync($"/api/v1/tickets/{Guid.NewGuid()}/messages")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_repeated_post_with_the_same_idempotency_key_makes_one_ticket()
    {
        var person = await KnownPersonAsync(Platform);
        var key = new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() };
        var first = await _service.SendJsonAsync(HttpMethod.Post, "/api/v1/tickets", Ticket(requesterId: person.Id(), subject: "Once"), headers: key);
        var second = await _service.SendJsonAsync(HttpMethod.Post, "/api/v1/tickets", Ticket(requesterId: person.Id(), subject: "Once"), headers: key);
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.Status, second.Status));
        Assert.Equal(first.Body.Id(), second.Body.Id());
        Assert.Equal("true", second.Response.Headers.GetValues("Idempotent-Replayed").Single());
        (await _service.SendJsonAsync(HttpMethod.Post, "/api/v1/tickets", Ticket(requesterId: person.Id(), subject: "Other"), headers: key))
            .AssertProblem(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Agents_work_tickets_sales_roles_only_read_them_and_others_are_refused()
    {
        var person = await KnownPersonAsync(Platform);
        var agent = await ClientAsync("agent-1", Roles.ServiceAgent);
        var ticket = await agent.PostJsonAsync("/api/v1/tickets", Ticket(requesterId: person.Id())).CreatedAsync();
        Assert.Equal("agent-1", ticket.Str("createdBy"));
        await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id()}/messages", new { body = "On it." }).CreatedAsync();
        (await agent.DeleteJsonAsync($"/api/v1/tickets/{ticket.Id()}", Api.AnyVersion)).AssertProblem(HttpStatusCode.Forbidden);
        (await agent.PostJsonAsync("/api/v1/support-groups", new { name = "Agents cannot" })).AssertProblem(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await agent.GetJsonAsync("/api/v1/support-groups")).Status);

        // Sales reps and managers see every ticket of the tenant (their customers' included, whoever created them), read only.
        foreach (var role in new[] { Roles.SalesRep, Roles.SalesManager, Roles.ReadOnly })
        {
            var reader = await ClientAsync($"reader-{role}", role);
            Assert.Equal(HttpStatusCode.OK, (await reader.GetJsonAsync($"/api/v1/tickets/{ticket.Id()}")).Status);
            Assert.Contains(ticket.Id(), (await reader.GetJsonAsync($"/api/v1/tickets?filter[requesterId]={person.Id()}")).Items().Select(t => t.Id()));
            Assert.Equal(HttpStatusCode.OK, (await reader.GetJsonAsync($"/api/v1/tickets/{ticket.Id()}/messages")).Status);
            (await reader.PostJsonAsync("/api/v1/tickets", Ticket(requesterId: person.Id()))).AssertProblem(HttpStatusCode.Forbidden);
            (await reader.PostJsonAsync($"/api/v1/tickets/{ticket.Id()}/messages", new { body = "x" })).AssertProblem(HttpStatusCode.Forbidden);
            (await reader.PostJsonAsync($"/api/v1/tickets/{ticket.Id()}/route", new { })).AssertProblem(HttpStatusCode.Forbidden);
        }
        var marketing = await ClientAsync("marketer", Roles.Marketing);
        (await marketing.GetJsonAsync($"/api/v1/tickets/{ticket.Id()}")).AssertProblem(HttpStatusCode.Forbidden);
        (await marketing.GetJsonAsync("/api/v1/support-groups")).AssertProblem(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.NoContent, (await _service.DeleteJsonAsync($"/api/v1/tickets/{ticket.Id()}", Api.AnyVersion)).Status);
    }

    [Fact]
    public async Task Another_tenant_sees_none_of_the_tickets_their_messages_or_events()
    {
        var person = await KnownPersonAsync(Platform);
        var ticket = await _service.PostJsonAsync("/api/v1/tickets", Ticket(requesterId: person.Id())).CreatedAsync();
        var message = await _service.PostJsonAsync($"/api/v1/tickets/{ticket.Id()}/messages", new { body = "Ours." }).CreatedAsync();
        var group = await _service.PostJsonAsync("/api/v1/support-groups", new { name = "Ours" }).CreatedAsync();

        var (otherTenant, otherToken) = await Platform.Identity.NewTenantAsync();
        var other = Platform.ClientFor(Platform.Service, otherToken);
        (await other.GetJsonAsync($"/api/v1/tickets/{ticket.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await other.GetJsonAsync($"/api/v1/tickets/{ticket.Id()}/messages")).AssertProblem(HttpStatusCode.NotFound);
        (await other.GetJsonAsync($"/api/v1/tickets/{ticket.Id()}/assignments")).AssertProblem(HttpStatusCode.NotFound);
        (await other.PostJsonAsync($"/api/v1/tickets/{ticket.Id()}/messages", new { body = "Theirs." })).AssertProblem(HttpStatusCode.NotFound);
        (await other.PutJsonAsync($"/api/v1/tickets/{ticket.Id()}", Ticket(requesterId: person.Id()), Api.AnyVersion)).AssertProblem(HttpStatusCode.NotFound);
        (await other.PostJsonAsync($"/api/v1/tickets/{ticket.Id()}/route", new { })).AssertProblem(HttpStatusCode.NotFound);
        (await other.DeleteJsonAsync($"/api/v1/tickets/{ticket.Id()}", Api.AnyVersion)).AssertProblem(HttpStatusCode.NotFound);
        (await other.GetJsonAsync($"/api/v1/support-groups/{group.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        Assert.Empty((await other.GetJsonAsync("/api/v1/tickets")).Items());
        Assert.Empty((await other.GetJsonAsync("/api/v1/support-groups")).Items());
        // Our person is not theirs to name as a requester.
        (await other.PostJsonAsync("/api/v1/tickets", Ticket(requesterId: person.Id()))).AssertProblem(HttpStatusCode.UnprocessableEntity);

        // Their own ticket is numbered and announced in their tenant.
        var theirs = await other.PostJsonAsync("/api/v1/tickets", Ticket(requesterEmail: NewEmail())).CreatedAsync();
        Assert.Equal(1, theirs.GetProperty("number").GetInt64());
        Assert.Equal(otherTenant, Assert.Single(await ServiceEventsAsync<TicketCreated>(Platform, theirs.Id())).TenantId);
        Assert.Equal(otherTenant, Assert.Single(await ServiceEventsAsync<TicketRequesterRequested>(Platform, theirs.Id())).TenantId);
        Assert.Equal(TenantContext.DefaultTenantId, Assert.Single(await ServiceEventsAsync<TicketCreated>(Platform, ticket.Id())).TenantId);
        var theirPerson = await Eventually.ReturnsAsync(() => other.GetJsonAsync($"/api/v1/tickets/{theirs.Id()}"),
            answer => answer.Body.GetProperty("requester").Str("state") == "known", "their ticket knows its requester");
        Assert.Equal(otherTenant, await PlatformServices.QueryAsync(Platform.Contacts, db => db.People.IgnoreQueryFilters()
            .Where(p => p.Id == theirPerson.Body.GetProperty("requester").Id()).Select(p => p.TenantId).SingleAsync()));
        Assert.NotEqual(Guid.Empty, message.Id());
    }

    [Fact]
    public async Task Tickets_solved_longer_than_the_setting_close_by_themselves_with_their_event_and_others_stay()
    {
        var (tenant, token) = await Platform.Identity.NewTenantAsync();
        var admin = Platform.ClientFor(Platform.Service, token);
        async Task<Guid> SolvedAsync(int daysAgo)
        {
            var ticket = await admin.PostJsonAsync("/api/v1/tickets", Ticket(requesterEmail: NewEmail())).CreatedAsync();
            await admin.PostJsonAsync($"/api/v1/tickets/{ticket.Id()}/messages", new { body = "Fixed.", kind = "internal", status = "solved" }).CreatedAsync();
            // Test data: solved that many days ago.
            var solvedAt = DateTime.UtcNow.AddDays(-daysAgo);
            await PlatformServices.QueryAsync(Platform.Service, db => db.Database.ExecuteSqlAsync($"UPDATE tickets SET solved_at = {solvedAt} WHERE id = {ticket.Id()}"));
            return ticket.Id();
        }
        var old = await SolvedAsync(5);
        var recent = await SolvedAsync(1);
        // Reopening stops the clock: the solved time is cleared, so the next solve starts it again. (Not back-dated
        // before the reopen: the service's own closer could close it in between, and the reopen would be refused.)
        var reopened = await SolvedAsync(0);
        await admin.PostJsonAsync($"/api/v1/tickets/{reopened}/messages", new { body = "Still broken?", status = "open" }).CreatedAsync();
        Assert.Equal(JsonValueKind.Null, (await admin.GetJsonAsync($"/api/v1/tickets/{reopened}")).Body.GetProperty("solvedAt").ValueKind);

        var closer = Platform.Service.Services.GetRequiredService<CrmPlatform.Service.Tickets.SolvedTicketCloser>();
        Assert.Equal(TimeSpan.FromDays(4), closer.CloseSolvedAfter);
        // A ticket someone else is writing right then is skipped (SKIP LOCKED) and taken at a later round: here the
        // requester's answer from Contacts may be saving the new tickets, or the service's own closer may have claimed one.
        var closed = (await Eventually.ReturnsAsync(async () =>
        {
            await closer.CloseDueAsync(CancellationToken.None);
            return await admin.GetJsonAsync($"/api/v1/tickets/{old}");
        }, answer => answer.Body.Str("status") == "closed", "the ticket solved 5 days ago is closed")).Body;
        Assert.Equal(0, await closer.CloseDueAsync(CancellationToken.None));
        Assert.Equal(("closed", "system"), (closed.Str("status"), closed.Str("updatedBy")));
        Assert.Equal("solved", (await admin.GetJsonAsync($"/api/v1/tickets/{recent}")).Body.Str("status"));
        Assert.Equal("open", (await admin.GetJsonAsync($"/api/v1/tickets/{reopened}")).Body.Str("status"));
        var closedEvent = Assert.Single(await ServiceEventsAsync<TicketClosed>(Platform, old));
        Assert.Equal(tenant, closedEvent.TenantId);
        Assert.Contains(await ServiceEventsAsync<TicketUpdated>(Platform, old), u => u.PreviousStatus == "solved" && u.Ticket.Status == "closed");
        // Closed is final: an agent's reply is refused.
        (await admin.PostJsonAsync($"/api/v1/tickets/{old}/messages", new { body = "One more thing" })).AssertProblem(HttpStatusCode.Conflict);
    }
}
