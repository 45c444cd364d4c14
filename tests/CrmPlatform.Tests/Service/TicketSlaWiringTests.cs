using System.Net;
using System.Text.Json;
using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.Service.Data;
using CrmPlatform.Service.Sla.Clocks;
using CrmPlatform.Service.Tickets.Escalation;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CrmPlatform.Tests.Service.ServiceTestData;

namespace CrmPlatform.Tests.Service;

/// <summary>
/// Tickets drive their SLA clocks on the real PostgreSQL and RabbitMQ: due times from the tenant's default policy or
/// the organization's contract (hand-computed on an around-the-clock calendar), pause and resume, first response only
/// by a public agent reply, solve and reopen, the SLA block in ticket responses, and a breach the sweep finds escalated
/// once (reassignment with its reason, the escalation row). Every test has a tenant of its own.
/// </summary>
public sealed class TicketSlaWiringTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;

    /// <summary>A tenant whose first (default) policy gives every priority 60 minutes to respond and 240 to resolve; no calendar: around the clock.</summary>
    private async Task<(Guid Tenant, HttpClient Admin, Guid PolicyId)> TenantAsync()
    {
        var (tenant, token) = await Platform.Identity.NewTenantAsync();
        var admin = Platform.ClientFor(Platform.Service, token);
        var policy = await admin.PostJsonAsync("/api/v1/sla-policies", PolicyRequest("Default", 60, 240)).CreatedAsync();
        return (tenant, admin, policy.Id());
    }

    private static object PolicyRequest(string name, int firstResponseMinutes, int resolutionMinutes) => new
    {
        name, warningPercent = 80, targets = new[] { "low", "normal", "high", "urgent" }
            .Select(priority => new { priority, firstResponseMinutes, resolutionMinutes }).ToArray(),
    };

    private static JsonElement Sla(JsonElement ticket) => ticket.GetProperty("sla");

    private static JsonElement Target(JsonElement ticket, string target) => Sla(ticket).GetProperty(target);

    private static DateTime At(JsonElement json, string property) => json.GetProperty(property).GetDateTime().ToUniversalTime();

    private static async Task<JsonElement> GetAsync(HttpClient client, Guid id)
    {
        var answer = await client.GetJsonAsync($"/api/v1/tickets/{id}");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return answer.Body;
    }

    private static async Task<JsonElement> MoveAsync(HttpClient client, JsonElement ticket, string status, string? assigneeId = null, Guid? groupId = null)
    {
        var answer = await client.PutJsonAsync($"/api/v1/tickets/{ticket.Id()}", new
        {
            subject = ticket.Str("subject"), requesterEmail = ticket.GetProperty("requester").Str("email"), status, assigneeId, groupId,
        }, Api.AnyVersion);
        Assert.True(answer.Status == HttpStatusCode.OK, $"{(int)answer.Status}: {answer.Body}");
        return answer.Body;
    }

    /// <summary>
    /// Creates a ticket for a new address and waits for Contacts' answer about the requester, which updates the ticket
    /// (a change racing it would get its 412, which is not what these tests are about).
    /// </summary>
    private static async Task<JsonElement> NewTicketAsync(HttpClient client, object request)
    {
        var created = await client.PostJsonAsync("/api/v1/tickets", request).CreatedAsync();
        await Eventually.TrueAsync(async () => (await GetAsync(client, created.Id())).GetProperty("requester").Str("state") != "requested", "Contacts answered");
        return created;
    }

    [Fact]
    public async Task Due_times_come_from_the_tenants_default_policy_or_the_organizations_valid_contract()
    {
        var (tenant, admin, defaultPolicy) = await TenantAsync();
        var created = await NewTicketAsync(admin, Ticket(requesterEmail: NewEmail()));
        var createdAt = At(created, "createdAt");
        Assert.Equal((defaultPolicy, "normal", false), (Sla(created).GetProperty("policyId").GetGuid(), Sla(created).Str("priority"), Sla(created).GetProperty("paused").GetBoolean()));
        // Around the clock: due exactly 60 and 240 minutes of real time after creation.
        Assert.Equal(createdAt.AddMinutes(60), At(Target(created, "firstResponse"), "dueAt"), TimeSpan.FromMilliseconds(1));
        Assert.Equal(createdAt.AddMinutes(240), At(Target(created, "resolution"), "dueAt"), TimeSpan.FromMilliseconds(1));
        Assert.Equal(createdAt.AddMinutes(48), At(Target(created, "firstResponse"), "warnAt"), TimeSpan.FromMilliseconds(1));
        Assert.Equal("running", Target(created, "firstResponse").Str("status"));
        Assert.InRange(Target(created, "firstResponse").GetProperty("remainingSeconds").GetInt64(), 3500, 3600);

        // An organization with a contract valid today gets the contract's policy.
        var contacts = Platform.ClientFor(Platform.Contacts, await Platform.Identity.NewClientTokenAsync(tenant));
        var acme = (await contacts.PostJsonAsync("/api/v1/organizations", new { name = $"Acme {Guid.NewGuid():N}" }).CreatedAsync()).Id();
        await Eventually.TrueAsync(() => PlatformServices.QueryAsync(Platform.Service, db => db.DirectoryContacts.IgnoreQueryFilters().AnyAsync(c => c.Id == acme)),
            "Service knows the organization");
        var gold = (await admin.PostJsonAsync("/api/v1/sla-policies", PolicyRequest("Gold", 15, 60)).CreatedAsync()).Id();
        await admin.PostJsonAsync("/api/v1/service-contracts", new
        {
            name = "Acme Gold", organizationId = acme, policyId = gold, validFrom = DateTime.UtcNow.AddDays(-30).ToString("yyyy-MM-dd"),
        }).CreatedAsync();
        var golden = await NewTicketAsync(admin, new { subject = "Down", requesterEmail = NewEmail(), organizationId = acme, priority = "urgent" });
        Assert.Equal((gold, "urgent"), (Sla(golden).GetProperty("policyId").GetGuid(), Sla(golden).Str("priority")));
        Assert.Equal(At(golden, "createdAt").AddMinutes(15), At(Target(golden, "firstResponse"), "dueAt"), TimeSpan.FromMilliseconds(1));

        // GET and the list show the same block; the list loads the clocks of its page at once.
        var fetched = await GetAsync(admin, golden.Id());
        Assert.Equal(At(Target(golden, "resolution"), "dueAt"), At(Target(fetched, "resolution"), "dueAt"));
        var list = (await admin.GetJsonAsync("/api/v1/tickets?limit=10")).Items();
        Assert.Equal(2, list.Count);
        Assert.All(list, t => Assert.Equal("running", Target(t, "resolution").Str("status")));
        Assert.Equal(new[] { defaultPolicy, gold }.Order(), list.Select(t => Sla(t).GetProperty("policyId").GetGuid()).Order());

        // Tenant isolation: another tenant sees neither the ticket nor its clock.
        var (_, strangerToken) = await Platform.Identity.NewTenantAsync();
        var stranger = Platform.ClientFor(Platform.Service, strangerToken);
        (await stranger.GetJsonAsync($"/api/v1/tickets/{golden.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        Assert.Empty((await stranger.GetJsonAsync("/api/v1/tickets")).Items());
        await using var scope = Platform.Service.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CrmPlatform.ServiceDefaults.TenantContext>().TenantId = Guid.CreateVersion7();
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<SlaClocks>().ViewsAsync([created.Id(), golden.Id()], CancellationToken.None));
        Assert.Null(await scope.ServiceProvider.GetRequiredService<SlaClocks>().ViewAsync(golden.Id(), CancellationToken.None));
    }

    [Fact]
    public async Task A_tenant_without_a_policy_has_tickets_without_a_clock()
    {
        var (_, token) = await Platform.Identity.NewTenantAsync();
        var admin = Platform.ClientFor(Platform.Service, token);
        var created = await NewTicketAsync(admin, Ticket(requesterEmail: NewEmail()));
        Assert.Equal(JsonValueKind.Null, created.GetProperty("sla").ValueKind);
        Assert.Equal(JsonValueKind.Null, (await GetAsync(admin, created.Id())).GetProperty("sla").ValueKind);
    }

    [Fact]
    public async Task Pending_pauses_the_clock_and_open_resumes_it_with_what_remained()
    {
        var (_, admin, _) = await TenantAsync();
        var ticket = await NewTicketAsync(admin, Ticket(requesterEmail: NewEmail()));
        var pending = await MoveAsync(admin, ticket, "pending");
        Assert.True(Sla(pending).GetProperty("paused").GetBoolean());
        Assert.Equal(("paused", JsonValueKind.Null), (Target(pending, "resolution").Str("status"), Target(pending, "resolution").GetProperty("dueAt").ValueKind));
        var remaining = Target(pending, "resolution").GetProperty("remainingSeconds").GetInt64();

        // Seconds pass while it waits for the customer: nothing is used.
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        var later = await GetAsync(admin, ticket.Id());
        Assert.Equal(remaining, Target(later, "resolution").GetProperty("remainingSeconds").GetInt64());
        Assert.Equal(remaining, Target(later, "firstResponse").GetProperty("remainingSeconds").GetInt64() + 180 * 60);

        var resumed = await MoveAsync(admin, ticket, "open");
        Assert.False(Sla(resumed).GetProperty("paused").GetBoolean());
        Assert.Equal("running", Target(resumed, "resolution").Str("status"));
        // Due again: what remained, counted from the moment it resumed (the 2 s of waiting pushed it back).
        var resumedAt = At(resumed, "updatedAt");
        Assert.Equal(resumedAt.AddSeconds(remaining), At(Target(resumed, "resolution"), "dueAt"), TimeSpan.FromSeconds(1));
        Assert.True(At(Target(resumed, "resolution"), "dueAt") >= At(ticket, "createdAt").AddMinutes(240).AddSeconds(2));
    }

    [Fact]
    public async Task Only_a_public_agent_reply_meets_the_first_response_solving_meets_resolution_and_a_customer_reply_reopens_it()
    {
        var (_, admin, _) = await TenantAsync();
        var ticket = await NewTicketAsync(admin, Ticket(requesterEmail: NewEmail()));
        var messages = $"/api/v1/tickets/{ticket.Id()}/messages";

        await admin.PostJsonAsync(messages, new { body = "Asked the printer team.", kind = "internal" }).CreatedAsync();
        await admin.PostJsonAsync(messages, new { body = "Anyone there?", authorKind = "customer" }).CreatedAsync();
        var unanswered = await GetAsync(admin, ticket.Id());
        Assert.Equal(("running", JsonValueKind.Null), (Target(unanswered, "firstResponse").Str("status"), Target(unanswered, "firstResponse").GetProperty("metAt").ValueKind));

        await admin.PostJsonAsync(messages, new { body = "We are on it." }).CreatedAsync();
        var answered = await GetAsync(admin, ticket.Id());
        Assert.Equal(("met", "running"), (Target(answered, "firstResponse").Str("status"), Target(answered, "resolution").Str("status")));
        var respondedAt = At(Target(answered, "firstResponse"), "metAt");

        var solved = await MoveAsync(admin, answered, "solved");
        Assert.Equal("met", Target(solved, "resolution").Str("status"));
        Assert.NotEqual(JsonValueKind.Null, Target(solved, "resolution").GetProperty("metAt").ValueKind);

        // The customer writes again: the ticket reopens and resolution runs again; the first response stays met.
        await admin.PostJsonAsync(messages, new { body = "Still smoking.", authorKind = "customer" }).CreatedAsync();
        var reopened = await GetAsync(admin, ticket.Id());
        Assert.Equal(("open", "running", "met"), (reopened.Str("status"), Target(reopened, "resolution").Str("status"), Target(reopened, "firstResponse").Str("status")));
        Assert.Equal(respondedAt, At(Target(reopened, "firstResponse"), "metAt"));

        // Priority follows: urgent keeps the default policy's (equal) targets, the clock records the new priority.
        var urgent = await admin.PutJsonAsync($"/api/v1/tickets/{ticket.Id()}", new
        {
            subject = reopened.Str("subject"), requesterEmail = reopened.GetProperty("requester").Str("email"), priority = "urgent",
        }, Api.AnyVersion);
        Assert.Equal("urgent", Sla(urgent.Body).Str("priority"));
    }

    [Fact]
    public async Task A_breach_found_by_the_sweep_reassigns_away_from_an_away_assignee_and_is_escalated_exactly_once()
    {
        var (tenant, admin, _) = await TenantAsync();
        var badManager = await admin.PostJsonAsync("/api/v1/support-groups", new { name = "Bad", managerEmail = "not an address" });
        badManager.AssertProblem(HttpStatusCode.BadRequest);
        var group = await admin.PostJsonAsync("/api/v1/support-groups", new
        {
            name = "Printers", memberIds = new[] { "agent-a", "agent-b" }, managerId = "boss", managerEmail = "Boss@Acme.test",
        }).CreatedAsync();
        Assert.Equal(("boss", "boss@acme.test"), (group.Str("managerId"), group.Str("managerEmail")));
        Assert.Equal(HttpStatusCode.OK, (await admin.PutJsonAsync("/api/v1/support-agents/agent-a", new { availability = "away" }, Api.AnyVersion)).Status);
        var ticket = await NewTicketAsync(admin, Ticket(requesterEmail: NewEmail(), assigneeId: "agent-a", groupId: group.Id()));
        var calm = await NewTicketAsync(admin, Ticket(requesterEmail: NewEmail(), assigneeId: "agent-a", groupId: group.Id()));

        // Test data: the first response came due a minute ago (as if created 61 minutes ago).
        var due = DateTime.UtcNow.AddMinutes(-1);
        await PlatformServices.QueryAsync(Platform.Service, db => db.Database.ExecuteSqlAsync(
            $"UPDATE ticket_slas SET first_response_due_at = {due}, first_response_warn_at = {due.AddMinutes(-12)} WHERE id = {ticket.Id()}"));

        // Two sweeps (and the service's own): one claim, one escalation.
        var sweep = ActivatorUtilities.CreateInstance<SlaSweep>(Platform.Service.Services);
        await sweep.SweepAsync(CancellationToken.None);
        await sweep.SweepAsync(CancellationToken.None);
        var escalations = await PlatformServices.QueryAsync(Platform.Service, db => db.SlaEscalations.IgnoreQueryFilters().AsNoTracking()
            .Where(e => e.TenantId == tenant).ToListAsync());
        var escalation = Assert.Single(escalations);
        Assert.Equal((ticket.Id(), "first-response", "reassigned", "agent-a", "agent-b"),
            (escalation.TicketId, escalation.Target, escalation.Action, escalation.PreviousAssigneeId, escalation.AssigneeId));
        Assert.Equal(("boss", "boss@acme.test", "queued", group.Id()), (escalation.ManagerId, escalation.ManagerEmail, escalation.Notification, escalation.GroupId));
        Assert.Equal(due, escalation.DueAt, TimeSpan.FromMilliseconds(1));

        var history = (await admin.GetJsonAsync($"/api/v1/tickets/{ticket.Id()}/assignments")).Body.EnumerateArray().ToList();
        var byBreach = Assert.Single(history, a => a.Str("trigger") == "sla-breach");
        Assert.Equal(("agent-a", "agent-b"), (byBreach.Str("previousAssigneeId"), byBreach.Str("assigneeId")));
        Assert.StartsWith("SLA breach: first-response", byBreach.Str("reason"));

        var after = await GetAsync(admin, ticket.Id());
        Assert.Equal(("agent-b", "breached", "running"), (after.Str("assigneeId"), Target(after, "firstResponse").Str("status"), Target(after, "resolution").Str("status")));
        Assert.Equal("agent-a", (await GetAsync(admin, calm.Id())).Str("assigneeId"));
        var clock = await PlatformServices.QueryAsync(Platform.Service, db => db.TicketSlas.IgnoreQueryFilters().AsNoTracking().SingleAsync(s => s.Id == ticket.Id()));
        Assert.Equal("agent-b", clock.AssigneeId);

        Assert.Single(await ServiceEventsAsync<SlaBreached>(Platform, ticket.Id()));
        var updates = await ServiceEventsAsync<TicketUpdated>(Platform, ticket.Id());
        Assert.Contains(updates, u => u.ChangedFields.Contains("assigneeId") && u.Ticket.AssigneeId == "agent-b");

        // A sweep after a restart finds nothing more to escalate.
        await ActivatorUtilities.CreateInstance<SlaSweep>(Platform.Service.Services).SweepAsync(CancellationToken.None);
        Assert.Equal(1, await PlatformServices.QueryAsync(Platform.Service, db => db.SlaEscalations.IgnoreQueryFilters().CountAsync(e => e.TenantId == tenant)));
        Assert.Single((await admin.GetJsonAsync($"/api/v1/tickets/{ticket.Id()}/assignments")).Body.EnumerateArray(), a => a.Str("trigger") == "sla-breach");
    }

    [Fact]
    public async Task Breaches_found_in_one_sweep_spread_over_the_groups_available_members_in_each_tenant_and_reach_the_manager_in_one_email()
    {
        var (tenant, admin, _) = await TenantAsync();
        var (otherTenant, otherAdmin, _) = await TenantAsync();
        var manager = $"lead-{Guid.NewGuid():N}@acme.test";
        var group = await admin.PostJsonAsync("/api/v1/support-groups", new
        {
            name = "Billing", memberIds = new[] { "agent-a", "agent-b", "agent-c" }, managerEmail = manager,
        }).CreatedAsync();
        // The same agent ids in another tenant: their own group, who is away there, and their loads are that tenant's.
        var otherGroup = await otherAdmin.PostJsonAsync("/api/v1/support-groups", new { name = "Billing", memberIds = new[] { "agent-a", "agent-c" } }).CreatedAsync();
        foreach (var client in new[] { admin, otherAdmin })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PutJsonAsync("/api/v1/support-agents/agent-a", new { availability = "away" }, Api.AnyVersion)).Status);
        }
        var tickets = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            tickets.Add((await NewTicketAsync(admin, Ticket(requesterEmail: NewEmail(), assigneeId: "agent-a", groupId: group.Id()))).Id());
        }
        var other = (await NewTicketAsync(otherAdmin, Ticket(requesterEmail: NewEmail(), assigneeId: "agent-a", groupId: otherGroup.Id()))).Id();

        // Test data: all four come due at once, so one sweep's batch claims them together.
        var due = DateTime.UtcNow.AddMinutes(-1);
        var ids = tickets.Append(other).ToArray();
        await PlatformServices.QueryAsync(Platform.Service, db => db.Database.ExecuteSqlAsync(
            $"UPDATE ticket_slas SET first_response_due_at = {due}, first_response_warn_at = {due.AddMinutes(-12)} WHERE id = ANY({ids})"));
        await ActivatorUtilities.CreateInstance<SlaSweep>(Platform.Service.Services).SweepAsync(CancellationToken.None);

        var escalations = await PlatformServices.QueryAsync(Platform.Service, db => db.SlaEscalations.IgnoreQueryFilters().AsNoTracking()
            .Where(e => ids.Contains(e.TicketId)).ToListAsync());
        Assert.Equal(4, escalations.Count);
        var mine = escalations.Where(e => e.TenantId == tenant).ToList();
        Assert.Equal(tickets.Order(), mine.Select(e => e.TicketId).Order());
        Assert.All(mine, e => Assert.Equal(("reassigned", "agent-a", group.Id()), (e.Action, e.PreviousAssigneeId, e.GroupId)));
        // agent-b and agent-c had none; the batch counts what it hands out, so the third goes to the first of them again.
        Assert.Equal(["agent-b", "agent-b", "agent-c"], mine.Select(e => e.AssigneeId!).Order(StringComparer.Ordinal));
        Assert.Contains(mine, e => e.Reason.Contains("(1 unsolved tickets)", StringComparison.Ordinal));
        var theirs = Assert.Single(escalations, e => e.TenantId == otherTenant);
        Assert.Equal((other, "reassigned", "agent-c", otherGroup.Id(), ManagerNotifications.NoManager),
            (theirs.TicketId, theirs.Action, theirs.AssigneeId, theirs.GroupId, theirs.Notification));
        foreach (var id in tickets)
        {
            Assert.Equal(mine.Single(e => e.TicketId == id).AssigneeId, (await GetAsync(admin, id)).Str("assigneeId"));
        }
        Assert.Equal("agent-c", (await GetAsync(otherAdmin, other)).Str("assigneeId"));

        // One list for the manager, not one email per ticket.
        var email = Assert.Single(await PlatformServices.QueryAsync(Platform.Service, db => db.OutgoingEmails.IgnoreQueryFilters().AsNoTracking()
            .Where(e => e.To == manager).ToListAsync()));
        Assert.Equal((tenant, "SLA breaches in group Billing: 3 tickets"), (email.TenantId, email.Subject));
        foreach (var id in tickets)
        {
            var number = (await GetAsync(admin, id)).GetProperty("number").GetInt64();
            Assert.Contains($"Ticket #{number} \"Printer on fire\"", email.TextBody!, StringComparison.Ordinal);
            Assert.Contains(mine.Single(e => e.TicketId == id).Reason, email.TextBody!, StringComparison.Ordinal);
        }
    }
}
