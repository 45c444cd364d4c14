using System.Net;
using CrmPlatform.Service.Data;
using CrmPlatform.Service.Mail.Inbound;
using CrmPlatform.Service.Tickets;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using static CrmPlatform.Tests.Service.ServiceTestData;

namespace CrmPlatform.Tests.Service;

/// <summary>
/// Mail for support addresses over a real SMTP exchange (MailKit as the sending server) into tickets on real PostgreSQL
/// and RabbitMQ: a new message opens a ticket, replies thread by In-Reply-To and by <c>[#n]</c>, a retry is one message,
/// machines' mail makes nothing, unknown recipients are refused, and tenants stay apart. The listener replies only after
/// the commit, so what a test reads right after the send is what the 250 promised.
/// </summary>
public sealed class InboundMailTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;

    private int SmtpPort => Platform.Service.Services.GetRequiredService<InboundSmtpListener>().Port;

    private async Task<(Guid Tenant, string Address, HttpClient Admin)> TenantWithAddressAsync()
    {
        var (tenant, token) = await Platform.Identity.NewTenantAsync(Roles.Admin);
        var admin = Platform.ClientFor(Platform.Service, token);
        var address = $"help-{Guid.NewGuid():N}@acme.test";
        var created = await admin.PostJsonAsync("/api/v1/support-addresses", new { address = address.ToUpperInvariant(), language = "de" }).CreatedAsync();
        Assert.Equal(address, created.Str("address"));
        return (tenant, address, admin);
    }

    private static MimeMessage Mail(string from, string to, string subject, string body, string? messageId = null, string? inReplyTo = null)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Ada Lovelace", from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.MessageId = messageId ?? $"{Guid.NewGuid():N}@customer.test";
        if (inReplyTo is not null)
        {
            message.InReplyTo = inReplyTo;
            message.References.Add(inReplyTo);
        }
        message.Body = new TextPart("plain") { Text = body };
        return message;
    }

    private async Task SendAsync(MimeMessage message, string? reversePath = null, params string[] recipients)
    {
        using var smtp = new SmtpClient();
        await smtp.ConnectAsync("127.0.0.1", SmtpPort, SecureSocketOptions.None);
        var sender = reversePath is null ? message.From.Mailboxes.First() : new MailboxAddress("", reversePath);
        var to = recipients.Length == 0 ? message.To.Mailboxes : recipients.Select(MailboxAddress.Parse).ToList();
        await smtp.SendAsync(message, sender, to);
        await smtp.DisconnectAsync(true);
    }

    private Task<T> InTenantAsync<T>(Guid tenant, Func<ServiceDbContext, Task<T>> query) => InTenant(Platform, tenant, query);

    internal static async Task<T> InTenant<T>(PlatformServices platform, Guid tenant, Func<ServiceDbContext, Task<T>> query)
    {
        await using var scope = platform.Service.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = tenant;
        return await query(scope.ServiceProvider.GetRequiredService<ServiceDbContext>());
    }

    private Task<List<Ticket>> TicketsAsync(Guid tenant) => InTenantAsync(tenant, db => db.Tickets.AsNoTracking().OrderBy(t => t.Number).ToListAsync());

    private Task<List<TicketMessage>> MessagesAsync(Guid tenant, Guid ticket) =>
        InTenantAsync(tenant, db => db.TicketMessages.AsNoTracking().Where(m => m.TicketId == ticket).OrderBy(m => m.CreatedAt).ToListAsync());

    [Fact]
    public async Task A_new_mail_opens_a_ticket_and_replies_thread_by_message_id_and_by_subject_reference_once_each()
    {
        var (tenant, address, _) = await TenantWithAddressAsync();
        var customer = NewEmail();
        var first = Mail(customer, address, "Printer on fire", "Smoke since this morning.");

        await SendAsync(first);

        var ticket = Assert.Single(await TicketsAsync(tenant));
        Assert.Equal((TicketChannels.Email, "Printer on fire", "Smoke since this morning.", customer, "Ada Lovelace", "de"),
            (ticket.Channel, ticket.Subject, ticket.Description, ticket.RequesterEmail, ticket.RequesterName, ticket.Language));
        // The requester becomes a Contacts person, as with every ticket.
        await Eventually.TrueAsync(async () => (await TicketsAsync(tenant)).Single().RequesterId is not null, "the requester is linked to a person");

        var reply = Mail(customer, address, "Re: Printer on fire", "Now it is out.", inReplyTo: first.MessageId);
        await SendAsync(reply);
        await SendAsync(reply); // a sending server's retry after a lost 250
        var subjectReply = Mail(customer, address, $"Re: [#{ticket.Number}] Printer on fire", "Thanks!");
        await SendAsync(subjectReply);

        Assert.Single(await TicketsAsync(tenant));
        var messages = await MessagesAsync(tenant, ticket.Id);
        Assert.Equal(["Smoke since this morning.", "Now it is out.", "Thanks!"], messages.Select(m => m.Body));
        Assert.Equal($"<{reply.MessageId}>", messages[1].ExternalMessageId);

        // Anybody can type [#n]: from a stranger it opens a ticket of its own rather than writing into this one.
        await SendAsync(Mail(NewEmail(), address, $"[#{ticket.Number}] me too", "Same here."));
        Assert.Equal(2, (await TicketsAsync(tenant)).Count);
        Assert.Equal(3, (await MessagesAsync(tenant, ticket.Id)).Count);
    }

    [Fact]
    public async Task A_mails_files_are_kept_on_its_message_when_their_bytes_prove_an_accepted_type_and_named_with_the_reason_when_not()
    {
        var (tenant, address, admin) = await TenantWithAddressAsync();
        var customer = NewEmail();
        var pdf = "%PDF-1.4\n1 0 obj\n<< >>\nendobj\n%%EOF\n"u8.ToArray();
        var first = Mail(customer, address, "Invoice 4711", "");
        var files = new BodyBuilder { TextBody = "The invoice is attached." };
        files.Attachments.Add("Rechnung 4711.pdf", pdf, ContentType.Parse("application/pdf"));
        files.Attachments.Add("update.html", "<html><script>alert(1)</script></html>"u8.ToArray(), ContentType.Parse("text/html"));
        first.Body = files.ToMessageBody();
        await SendAsync(first);

        var ticket = Assert.Single(await TicketsAsync(tenant));
        var message = Assert.Single((await admin.GetJsonAsync($"/api/v1/tickets/{ticket.Id}/messages")).Body.EnumerateArray());
        Assert.StartsWith("The invoice is attached.", message.Str("body"));
        Assert.Contains("[Attachment \"update.html\" was not kept: The file is none of the accepted types", message.Str("body"));
        var attachment = Assert.Single(message.GetProperty("attachments").EnumerateArray());
        Assert.Equal(("Rechnung 4711.pdf", "application/pdf", pdf.Length), (attachment.Str("fileName"), attachment.Str("contentType"), attachment.GetProperty("size").GetInt32()));
        var download = await admin.GetAsync(attachment.Str("url"));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(pdf, await download.Content.ReadAsByteArrayAsync());

        // A reply's file is on the reply; a retried delivery adds neither the message nor its file again.
        var reply = Mail(customer, address, "Re: Invoice 4711", "");
        var photo = new BodyBuilder { TextBody = "And a photo of the printer." };
        photo.Attachments.Add("printer.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0], ContentType.Parse("image/png"));
        reply.Body = photo.ToMessageBody();
        reply.InReplyTo = first.MessageId;
        await SendAsync(reply);
        await SendAsync(reply);
        var messages = (await admin.GetJsonAsync($"/api/v1/tickets/{ticket.Id}/messages")).Body.EnumerateArray().ToList();
        Assert.Equal(2, messages.Count);
        Assert.Equal("printer.png", Assert.Single(messages[1].GetProperty("attachments").EnumerateArray()).Str("fileName"));
        Assert.Equal(2, await InTenantAsync(tenant, db => db.TicketAttachments.CountAsync(a => a.TicketId == ticket.Id)));
    }

    [Fact]
    public async Task An_html_only_mail_becomes_plain_text()
    {
        var (tenant, address, _) = await TenantWithAddressAsync();
        var message = Mail(NewEmail(), address, "Invoice", "");
        message.Body = new TextPart("html") { Text = "<html><head><style>p{}</style></head><body><p>Invoice&nbsp;4711</p><p>is <b>wrong</b></p><script>x()</script></body></html>" };

        await SendAsync(message);

        Assert.Equal("Invoice\u00a04711\nis wrong", Assert.Single(await TicketsAsync(tenant)).Description);
    }

    [Fact]
    public async Task Auto_replies_bounces_lists_and_the_desks_own_mail_are_accepted_and_make_nothing()
    {
        var (tenant, address, admin) = await TenantWithAddressAsync();
        var other = $"sales-{Guid.NewGuid():N}@acme.test";
        await admin.PostJsonAsync("/api/v1/support-addresses", new { address = other }).CreatedAsync();
        var customer = NewEmail();

        var autoReply = Mail(customer, address, "Out of office", "Back on Monday.");
        autoReply.Headers.Add("Auto-Submitted", "auto-replied");
        var xAutoreply = Mail(customer, address, "Away", "Away.");
        xAutoreply.Headers.Add("X-Autoreply", "yes");
        var bulk = Mail(customer, address, "Newsletter", "News.");
        bulk.Headers.Add("Precedence", "bulk");
        var list = Mail(customer, address, "[list] hello", "Hello list.");
        list.Headers.Add("List-Id", "<users.lists.example>");
        var daemon = Mail("MAILER-DAEMON@mx.customer.test", address, "Undeliverable", "Could not deliver.");
        var ownAddress = Mail(other, address, "From ourselves", "Loop?");

        var bounce = Mail("postbox@mx.customer.test", address, "Delivery Status Notification (Failure)", "");
        var report = new MultipartReport("delivery-status") { new TextPart("plain") { Text = "Your message could not be delivered." } };
        report.Add(new MimeKit.MimePart("message", "delivery-status") { Content = new MimeContent(new MemoryStream("Reporting-MTA: dns; mx\r\n\r\nFinal-Recipient: rfc822; x@y\r\nAction: failed\r\nStatus: 5.1.1\r\n"u8.ToArray())) });
        bounce.Body = report;

        foreach (var message in new[] { autoReply, xAutoreply, bulk, list, daemon, ownAddress })
        {
            await SendAsync(message);
        }
        // A bounce comes with the null reverse path (MAIL FROM:<>), and here as a multipart/report besides.
        await SendAsync(bounce, reversePath: "");
        await SendAsync(Mail(customer, address, "Plain but from <>", "Bounce without a report."), reversePath: "");

        Assert.Empty(await TicketsAsync(tenant));

        // The same sender's own mail is a ticket: what was dropped was dropped for its headers.
        var person = Mail(customer, address, "Real question", "Where is my order?");
        person.Headers.Add("Auto-Submitted", "no");
        await SendAsync(person);
        Assert.Single(await TicketsAsync(tenant));
    }

    [Fact]
    public async Task An_unknown_recipient_is_refused_during_the_exchange()
    {
        var (tenant, address, _) = await TenantWithAddressAsync();
        var stranger = $"nobody-{Guid.NewGuid():N}@acme.test";

        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => SendAsync(Mail(NewEmail(), stranger, "Hello", "Anyone?")));
        Assert.Equal((SmtpErrorCode.RecipientNotAccepted, 550), (refused.ErrorCode, (int)refused.StatusCode));

        // The same mail to the known address is taken.
        await SendAsync(Mail(NewEmail(), address, "Hello", "Anyone?"), null, address);
        Assert.Single(await TicketsAsync(tenant));
    }

    [Fact]
    public async Task Each_tenant_gets_mail_for_its_own_addresses_only()
    {
        var (tenantA, addressA, adminA) = await TenantWithAddressAsync();
        var (tenantB, addressB, adminB) = await TenantWithAddressAsync();

        await SendAsync(Mail(NewEmail(), addressA, "For A", "A's problem."));
        var both = Mail(NewEmail(), addressA, "For both", "Everyone's problem.");
        both.To.Add(MailboxAddress.Parse(addressB));
        await SendAsync(both);

        Assert.Equal(["For A", "For both"], (await TicketsAsync(tenantA)).Select(t => t.Subject));
        var ticketB = Assert.Single(await TicketsAsync(tenantB));
        Assert.Equal("For both", ticketB.Subject);

        // A's message ids thread nothing in B: a reply to A's ticket sent to B opens a ticket in B.
        var aTicket = (await TicketsAsync(tenantA)).First();
        var aMessageId = (await MessagesAsync(tenantA, aTicket.Id)).Single().ExternalMessageId!;
        await SendAsync(Mail(aTicket.RequesterEmail!, addressB, "Re: For A", "Wrong desk.", inReplyTo: aMessageId.Trim('<', '>')));
        Assert.Equal(2, (await TicketsAsync(tenantB)).Count);
        Assert.Single(await MessagesAsync(tenantA, aTicket.Id));

        // Each sees its own addresses; an address is one tenant's in the whole platform.
        Assert.Equal([addressA], (await adminA.GetJsonAsync("/api/v1/support-addresses")).Items().Select(a => a.Str("address")));
        (await adminB.PostJsonAsync("/api/v1/support-addresses", new { address = addressA })).AssertProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Support_addresses_are_validated_and_set_by_admins_only()
    {
        var (tenant, _, admin) = await TenantWithAddressAsync();
        (await admin.PostJsonAsync("/api/v1/support-addresses", new { address = "not an address" })).AssertProblem(HttpStatusCode.BadRequest);
        (await admin.PostJsonAsync("/api/v1/support-addresses", new { address = $"x-{Guid.NewGuid():N}@acme.test", groupId = Guid.NewGuid() }))
            .AssertProblem(HttpStatusCode.BadRequest);

        var agent = Platform.ClientFor(Platform.Service, await Platform.Identity.NewClientTokenAsync(tenant, Roles.ServiceAgent));
        Assert.Single((await agent.GetJsonAsync("/api/v1/support-addresses")).Items());
        (await agent.PostJsonAsync("/api/v1/support-addresses", new { address = $"y-{Guid.NewGuid():N}@acme.test" })).AssertProblem(HttpStatusCode.Forbidden);

        var created = await admin.PostJsonAsync("/api/v1/support-addresses", new { address = $"z-{Guid.NewGuid():N}@acme.test" }).CreatedAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteJsonAsync($"/api/v1/support-addresses/{created.Id()}", created.ETag())).Status);
        Assert.Single((await admin.GetJsonAsync("/api/v1/support-addresses")).Items());
    }
}
