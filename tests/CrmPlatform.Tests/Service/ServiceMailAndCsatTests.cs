using System.Net;
using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.Service.Csat;
using CrmPlatform.Service.Sla.Clocks;
using CrmPlatform.Service.Tickets;
using CrmPlatform.Service.WebForm;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static CrmPlatform.Tests.Service.ServiceTestData;

namespace CrmPlatform.Tests.Service;

/// <summary>
/// Service's outgoing mail over real SMTP (the shared email outbox): agents' public replies with threading headers,
/// and CSAT, whose signed single-use links rate through an anonymous page.
/// </summary>
public sealed class ServiceMailAndCsatTests(ServiceMailFixture fixture) : IClassFixture<ServiceMailFixture>
{
    private PlatformServices Platform => fixture.Platform;
    private readonly HttpClient _admin = fixture.Platform.ClientFor(fixture.Platform.Service);
    private readonly HttpClient _anonymous = fixture.Platform.Service.CreateClient();

    private async Task<HttpClient> ClientAsync(string subject, string role, Guid? tenant = null) =>
        Platform.ClientFor(Platform.Service, await Platform.Identity.SignedTokenAsync(subject, tenant ?? TenantContext.DefaultTenantId, role));

    private async Task<T> IntakeAsync<T>(Func<TicketIntake, Task<T>> use, Guid? tenant = null)
    {
        await using var scope = Platform.Service.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = tenant ?? TenantContext.DefaultTenantId;
        return await use(scope.ServiceProvider.GetRequiredService<TicketIntake>());
    }

    [Fact]
    public async Task An_agents_public_reply_goes_to_the_requester_with_threading_headers_and_an_internal_note_sends_nothing()
    {
        var email = NewEmail();
        var customerMessageId = $"{Guid.NewGuid():N}@customer.test";
        var opened = await IntakeAsync(i => i.CreateTicketAsync(
            new IntakeTicket("email", email, "Ada Lovelace", "Engine stalls", "Since this morning.", customerMessageId, Language: "en"), CancellationToken.None));
        var url = $"/api/v1/tickets/{opened.TicketId}/messages";

        Assert.Equal(HttpStatusCode.Created, (await _admin.PostJsonAsync(url, new { body = "Internal only: check the fuel pump.", kind = "internal" })).Status);
        var reply = await _admin.PostJsonAsync(url, new { body = "Hello Ada,\n\nplease check the fuel pump.\nThanks" }).CreatedAsync();
        var ourMessageId = reply.Str("externalMessageId");
        Assert.EndsWith("@service.crm", ourMessageId);

        var message = (await fixture.EmailsToAsync(email, 1)).Single().Message;
        Assert.Equal(email, message.To.Mailboxes.Single().Address);
        Assert.Equal(ServiceMailFixture.SupportAddress, message.From.Mailboxes.Single().Address);
        Assert.Equal($"Re: Engine stalls [#{opened.TicketNumber}]", message.Subject);
        Assert.Equal(ourMessageId, message.MessageId);
        Assert.Equal(customerMessageId, message.InReplyTo);
        Assert.Equal([customerMessageId], message.References);
        Assert.Contains("please check the fuel pump.", message.TextBody);
        Assert.Contains("<p>Hello Ada,</p>", message.HtmlBody);

        // The note was never queued (it would have left before the reply); one email in the outbox for the address.
        Assert.Equal(1, await PlatformServices.QueryAsync(Platform.Service, db => db.OutgoingEmails.IgnoreQueryFilters().CountAsync(e => e.To == email)));
        // The customer's answer to our reply threads into the ticket by our Message-ID.
        Assert.Equal(opened.TicketId, await IntakeAsync(i => i.FindTicketByMessageIdsAsync([message.MessageId!], CancellationToken.None)));

        // A second reply answers the customer's last message and carries the whole chain.
        await _admin.PostJsonAsync(url, new { body = "Any news?" }).CreatedAsync();
        var second = (await fixture.EmailsToAsync(email, 2))[1].Message;
        Assert.Equal(customerMessageId, second.InReplyTo);
        Assert.Equal([customerMessageId, ourMessageId], second.References);
    }

    [Fact]
    public async Task A_requester_who_restricted_processing_gets_no_reply_and_no_survey()
    {
        var person = await KnownPersonAsync(Platform);
        var ticket = await _admin.PostJsonAsync("/api/v1/tickets", Ticket(requesterId: person.Id())).CreatedAsync();
        await PlatformServices.QueryAsync(Platform.Service, db => db.DirectoryContacts.IgnoreQueryFilters()
            .Where(c => c.Id == person.Id()).ExecuteUpdateAsync(c => c.SetProperty(x => x.ProcessingRestricted, true)));
        await _admin.PostJsonAsync($"/api/v1/tickets/{ticket.Id()}/messages", new { body = "Solved it.", status = "solved" }).CreatedAsync();
        var address = person.Str("email");
        Assert.Equal(0, await PlatformServices.QueryAsync(Platform.Service, db => db.OutgoingEmails.IgnoreQueryFilters().CountAsync(e => e.To == address)));
        Assert.Equal(0, await PlatformServices.QueryAsync(Platform.Service, db => db.CsatSurveys.IgnoreQueryFilters().CountAsync(s => s.TicketId == ticket.Id())));
    }

    /// <summary>Opens a ticket for a new address, assigned as given, solves it and returns the CSAT email's token.</summary>
    private async Task<(Guid TicketId, string Token)> SolvedTicketAsync(string? assigneeId = null, Guid? groupId = null)
    {
        var email = NewEmail();
        var ticket = await _admin.PostJsonAsync("/api/v1/tickets", Ticket(requesterEmail: email, assigneeId: assigneeId, groupId: groupId)).CreatedAsync();
        await _admin.PostJsonAsync($"/api/v1/tickets/{ticket.Id()}/messages", new { body = "Done.", kind = "internal", status = "solved" }).CreatedAsync();
        var survey = (await fixture.EmailsToAsync(email, 1)).Single();
        Assert.StartsWith("How did we do?", survey.Message.Subject);
        Assert.Contains($"[#{ticket.GetProperty("number").GetInt64()}]", survey.Message.Subject);
        return (ticket.Id(), ServiceMailFixture.RatingTokenIn(survey));
    }

    private Task<HttpResponseMessage> RateAsync(string token, string rating, string? comment = null) =>
        _anonymous.PostAsync($"/api/v1/help-centre/csat/{token}",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["rating"] = rating, ["comment"] = comment ?? "" }));

    private Task<CsatSurvey> SurveyAsync(Guid ticketId) =>
        PlatformServices.QueryAsync(Platform.Service, db => db.CsatSurveys.IgnoreQueryFilters().AsNoTracking().SingleAsync(s => s.TicketId == ticketId));

    [Fact]
    public async Task Solving_sends_a_survey_whose_link_rates_once_and_only_by_post()
    {
        var agent = $"agent-{Guid.NewGuid():N}";
        var (ticketId, token) = await SolvedTicketAsync(agent);

        // Opening the link (what a mail scanner does) shows the question and rates nothing.
        var page = await _anonymous.GetAsync($"/api/v1/help-centre/csat/{token}?rating=good");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<form method=\"post\"", await page.Content.ReadAsStringAsync());
        Assert.Null((await SurveyAsync(ticketId)).Rating);

        Assert.Equal(HttpStatusCode.BadRequest, (await RateAsync(token, "maybe")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RateAsync(token, "good", "Quick and friendly")).StatusCode);
        var rated = await SurveyAsync(ticketId);
        Assert.Equal(("good", "Quick and friendly", agent), (rated.Rating, rated.Comment, rated.AgentId));

        // Single use: the second click changes nothing and raises nothing.
        var again = await RateAsync(token, "bad");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("Already rated", await again.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, (await _anonymous.GetAsync($"/api/v1/help-centre/csat/{token}")).StatusCode);
        Assert.Equal("good", (await SurveyAsync(ticketId)).Rating);

        var received = Assert.Single(await ServiceEventsAsync<CsatReceived>(Platform, rated.Id));
        Assert.Equal((ticketId, "good", true, agent, TenantContext.DefaultTenantId), (received.TicketId, received.Rating, received.HasComment, received.AgentId, received.TenantId));
    }

    [Fact]
    public async Task Tampered_and_expired_links_are_refused_and_rate_nothing()
    {
        var (ticketId, token) = await SolvedTicketAsync();
        var tampered = token[..10] + (token[10] == 'A' ? 'B' : 'A') + token[11..];
        Assert.Equal(HttpStatusCode.NotFound, (await _anonymous.GetAsync($"/api/v1/help-centre/csat/{tampered}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await RateAsync(tampered, "bad")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await RateAsync("not-a-token", "bad")).StatusCode);

        // A token signed with our key but past its expiry (the expiry is in the signed part).
        var survey = await SurveyAsync(ticketId);
        var signer = new CsatToken(Options.Create(new CsatSettings { SigningKey = Convert.ToBase64String(ServiceMailFixture.SigningKey) }), NullLogger<CsatToken>.Instance);
        var expired = signer.Create(survey.Id, DateTime.UtcNow.AddMinutes(-1));
        Assert.Equal(HttpStatusCode.Gone, (await RateAsync(expired, "bad")).StatusCode);
        // The same key, a different (made-up) survey: a signature alone does not make a survey.
        Assert.Equal(HttpStatusCode.NotFound, (await RateAsync(signer.Create(Guid.NewGuid(), DateTime.UtcNow.AddDays(1)), "bad")).StatusCode);

        // The survey's own expiry counts too.
        await PlatformServices.QueryAsync(Platform.Service, db => db.CsatSurveys.IgnoreQueryFilters()
            .Where(s => s.Id == survey.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.ExpiresAt, DateTime.UtcNow.AddMinutes(-1))));
        Assert.Equal(HttpStatusCode.Gone, (await RateAsync(token, "bad")).StatusCode);
        Assert.Null((await SurveyAsync(ticketId)).Rating);
        Assert.Empty(await ServiceEventsAsync<CsatReceived>(Platform, survey.Id));
    }

    [Fact]
    public async Task Results_per_agent_and_group_for_a_period_need_the_csat_permission_and_stay_in_the_tenant()
    {
        var group = await _admin.PostJsonAsync("/api/v1/support-groups", new { name = $"Group {Guid.NewGuid():N}" }).CreatedAsync();
        var ada = $"agent-{Guid.NewGuid():N}";
        var bob = $"agent-{Guid.NewGuid():N}";
        var start = DateTime.UtcNow.AddSeconds(-5);
        foreach (var (agent, rating) in new[] { (ada, "good"), (ada, "bad"), (ada, "good"), (bob, "bad") })
        {
            var (_, token) = await SolvedTicketAsync(agent, group.Id());
            Assert.Equal(HttpStatusCode.OK, (await RateAsync(token, rating)).StatusCode);
        }
        var period = $"from={start:O}&to={DateTime.UtcNow.AddMinutes(1):O}".Replace("+", "%2B");

        var agentClient = await ClientAsync("agent-1", Roles.ServiceAgent);
        var byAgent = (await agentClient.GetJsonAsync($"/api/v1/csat/results?groupBy=agent&{period}")).Body.GetProperty("rows").EnumerateArray().ToList();
        var adaRow = byAgent.Single(r => r.Str("key") == ada);
        Assert.Equal((3, 2, 1, 66.7), (adaRow.GetProperty("count").GetInt32(), adaRow.GetProperty("good").GetInt32(), adaRow.GetProperty("bad").GetInt32(), adaRow.GetProperty("scorePercent").GetDouble()));
        var bobRow = byAgent.Single(r => r.Str("key") == bob);
        Assert.Equal((1, 0, 0.0), (bobRow.GetProperty("count").GetInt32(), bobRow.GetProperty("good").GetInt32(), bobRow.GetProperty("scorePercent").GetDouble()));

        var byGroup = (await agentClient.GetJsonAsync($"/api/v1/csat/results?groupBy=group&{period}")).Body.GetProperty("rows").EnumerateArray();
        Assert.Equal(4, byGroup.Single(r => r.Str("key") == group.Id().ToString()).GetProperty("count").GetInt32());

        // Another period: none of these.
        var later = await agentClient.GetJsonAsync($"/api/v1/csat/results?groupBy=agent&from={DateTime.UtcNow.AddHours(1):yyyy-MM-ddTHH:mm:ssZ}");
        Assert.DoesNotContain(later.Body.GetProperty("rows").EnumerateArray(), r => r.Str("key") == ada);

        (await agentClient.GetJsonAsync("/api/v1/csat/results?groupBy=colour")).AssertProblem(HttpStatusCode.BadRequest);
        (await agentClient.GetJsonAsync("/api/v1/csat/results?groupBy=agent&from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z")).AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.OK, (await (await ClientAsync("reader", Roles.ReadOnly)).GetJsonAsync("/api/v1/csat/results?groupBy=agent")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await ClientAsync("rep", Roles.SalesRep)).GetJsonAsync("/api/v1/csat/results?groupBy=agent")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _anonymous.GetAsync("/api/v1/csat/results?groupBy=agent")).StatusCode);

        var otherTenant = await ClientAsync("agent-2", Roles.ServiceAgent, Guid.NewGuid());
        var theirs = await otherTenant.GetJsonAsync("/api/v1/csat/results?groupBy=agent");
        Assert.Equal(HttpStatusCode.OK, theirs.Status);
        Assert.DoesNotContain(theirs.Body.GetProperty("rows").EnumerateArray(), r => r.Str("key") == ada || r.Str("key") == bob);
    }

    [Fact]
    public async Task A_help_centre_request_is_confirmed_from_the_tenants_support_address_and_an_answer_to_the_confirmation_threads_into_its_ticket()
    {
        var (tenant, token) = await Platform.Identity.NewTenantAsync(Roles.Admin);
        var desk = $"help-{Guid.NewGuid():N}@acme.test";
        await Platform.ClientFor(Platform.Service, token).PostJsonAsync("/api/v1/support-addresses", new { address = desk, displayName = "Acme Help" }).CreatedAsync();
        var email = NewEmail();
        var formToken = Platform.Service.Services.GetRequiredService<FormTokens>().Issue(tenant, DateTimeOffset.UtcNow.AddSeconds(-10));

        var sent = await _anonymous.PostJsonAsync($"/api/v1/help-centre/{tenant}/requests", new
        {
            name = "Grace Hopper", email, subject = "Parcel missing", description = "Ordered on Monday, nothing came.", formToken,
        });

        Assert.Equal(HttpStatusCode.Accepted, sent.Status);
        var confirmation = (await fixture.EmailsToAsync(email, 1)).Single().Message;
        var ticket = await InboundMailTests.InTenant(Platform, tenant, db => db.Tickets.AsNoTracking().SingleAsync());
        Assert.Equal(("Acme Help", desk), (confirmation.From.Mailboxes.Single().Name, confirmation.From.Mailboxes.Single().Address));
        Assert.Equal($"We received your request: Parcel missing [#{ticket.Number}]", confirmation.Subject);
        Assert.Contains($"#{ticket.Number}", confirmation.TextBody);
        // Not a relay for whatever a stranger types into a public form.
        Assert.DoesNotContain("Ordered on Monday", confirmation.TextBody);
        Assert.DoesNotContain("Ordered on Monday", confirmation.HtmlBody);
        Assert.Equal(ticket.Id, await IntakeAsync(i => i.FindTicketByMessageIdsAsync([confirmation.MessageId!], CancellationToken.None), tenant));
    }

    [Fact]
    public async Task A_breach_emails_the_groups_manager_in_the_escalations_transaction()
    {
        var (tenant, token) = await Platform.Identity.NewTenantAsync(Roles.Admin);
        var admin = Platform.ClientFor(Platform.Service, token);
        await admin.PostJsonAsync("/api/v1/sla-policies", new
        {
            name = "Default", warningPercent = 80,
            targets = new[] { "low", "normal", "high", "urgent" }.Select(priority => new { priority, firstResponseMinutes = 60, resolutionMinutes = 240 }).ToArray(),
        }).CreatedAsync();
        var manager = $"boss-{Guid.NewGuid():N}@acme.test";
        var group = await admin.PostJsonAsync("/api/v1/support-groups", new { name = "Printers", memberIds = new[] { "agent-a" }, managerEmail = manager }).CreatedAsync();
        var ticket = await admin.PostJsonAsync("/api/v1/tickets", Ticket(requesterEmail: NewEmail(), assigneeId: "agent-a", groupId: group.Id())).CreatedAsync();
        var number = ticket.GetProperty("number").GetInt64();

        // Test data: the first response came due a minute ago.
        var due = DateTime.UtcNow.AddMinutes(-1);
        await PlatformServices.QueryAsync(Platform.Service, db => db.Database.ExecuteSqlAsync(
            $"UPDATE ticket_slas SET first_response_due_at = {due}, first_response_warn_at = {due.AddMinutes(-12)} WHERE id = {ticket.Id()}"));
        await ActivatorUtilities.CreateInstance<SlaSweep>(Platform.Service.Services).SweepAsync(CancellationToken.None);

        var escalation = await PlatformServices.QueryAsync(Platform.Service, db => db.SlaEscalations.IgnoreQueryFilters().AsNoTracking().SingleAsync(e => e.TicketId == ticket.Id()));
        Assert.Equal("queued", escalation.Notification);
        var message = (await fixture.EmailsToAsync(manager, 1)).Single().Message;
        Assert.Equal($"[#{number}] SLA breach (first-response): Printer on fire", message.Subject);
        Assert.Contains("missed its first-response target", message.TextBody);
        Assert.Contains(escalation.Reason, message.TextBody);
        // The tenant has no support address of its own: the platform's sender.
        Assert.Equal(ServiceMailFixture.SupportAddress, message.From.Mailboxes.Single().Address);
        Assert.Equal(tenant, await PlatformServices.QueryAsync(Platform.Service, db => db.OutgoingEmails.IgnoreQueryFilters().Where(e => e.To == manager).Select(e => e.TenantId).SingleAsync()));
    }
}
