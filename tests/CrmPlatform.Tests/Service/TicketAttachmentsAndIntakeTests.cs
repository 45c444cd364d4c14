using System.Net;
using System.Net.Http.Headers;
using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.Service.Tickets;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CrmPlatform.Tests.Service.ServiceTestData;

namespace CrmPlatform.Tests.Service;

/// <summary>
/// Attachments (size limit, type proven by the bytes, safe download) and <see cref="TicketIntake"/>, the entry point for
/// mail and web forms (a message delivered twice is one; a reply reopens; a closed ticket gets a follow-up), on real
/// PostgreSQL and RabbitMQ; and erasing a requester.
/// </summary>
public sealed class TicketAttachmentsAndIntakeTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;
    private readonly HttpClient _service = fixture.Platform.ClientFor(fixture.Platform.Service);

    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];
    private static readonly byte[] Pdf = "%PDF-1.7\n%âãÏÓ\n1 0 obj <<>> endobj\n"u8.ToArray();

    private async Task<(Guid Ticket, Guid Message)> MessageAsync(HttpClient? client = null)
    {
        var ticket = await (client ?? _service).PostJsonAsync("/api/v1/tickets", Ticket(requesterEmail: NewEmail())).CreatedAsync();
        var message = await (client ?? _service).PostJsonAsync($"/api/v1/tickets/{ticket.Id()}/messages", new { body = "See attached." }).CreatedAsync();
        return (ticket.Id(), message.Id());
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, Guid ticket, Guid message, byte[] content, string fileName, string? contentType)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        if (contentType is not null)
        {
            file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        form.Add(file, "file", fileName);
        return await client.PostAsync($"/api/v1/tickets/{ticket}/messages/{message}/attachments", form);
    }

    [Fact]
    public async Task A_file_is_accepted_only_within_the_limit_and_as_what_its_bytes_are_and_downloads_only_as_an_attachment()
    {
        var (ticket, message) = await MessageAsync();

        var uploaded = await UploadAsync(_service, ticket, message, Png, "../../etc/screen.png", "image/png");
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        var attachment = System.Text.Json.JsonDocument.Parse(await uploaded.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(("screen.png", "image/png", Png.Length), (attachment.Str("fileName"), attachment.Str("contentType"), attachment.GetProperty("size").GetInt32()));

        var download = await _service.GetAsync(attachment.Str("url"));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(Png, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("screen.png", download.Content.Headers.ContentDisposition?.FileNameStar ?? download.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());

        // No content type given: the bytes decide. Plain text is text.
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(_service, ticket, message, Pdf, "invoice.pdf", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(_service, ticket, message, "Serial: 4711\r\n"u8.ToArray(), "serial.txt", "text/plain; charset=utf-8")).StatusCode);

        // A claimed type the bytes contradict, a type not on the list, markup passed off as text, nothing at all: 422.
        foreach (var (content, name, type) in new (byte[], string, string?)[]
        {
            (Pdf, "photo.png", "image/png"),
            ([0x50, 0x4B, 0x03, 0x04, 0x14, 0, 0, 0], "macro.docm", "application/octet-stream"),
            ("<html><script>alert(1)</script></html>"u8.ToArray(), "page.txt", "text/plain"),
            ([0x4D, 0x5A, 0x90, 0x00, 0x03], "setup.exe", null),
        })
        {
            var refused = await UploadAsync(_service, ticket, message, content, name, type);
            Assert.True(refused.StatusCode == HttpStatusCode.UnprocessableEntity, $"{name}: {(int)refused.StatusCode}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        var empty = await UploadAsync(_service, ticket, message, [], "empty.txt", "text/plain");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);

        // Over 10 MB: 413, as a problem.
        var large = new byte[AttachmentsApi.DefaultMaxBytes + 1];
        Png.CopyTo(large, 0);
        var tooLarge = await UploadAsync(_service, ticket, message, large, "huge.png", "image/png");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal("application/problem+json", tooLarge.Content.Headers.ContentType?.MediaType);

        var messages = (await _service.GetJsonAsync($"/api/v1/tickets/{ticket}/messages")).Body.EnumerateArray().ToList();
        Assert.Equal(3, messages.Single().GetProperty("attachments").GetArrayLength());
        Assert.Equal(3, await PlatformServices.QueryAsync(Platform.Service, db => db.TicketAttachments.CountAsync(a => a.TicketId == ticket)));

        // Another tenant, or a message of another ticket, reaches none of it.
        var (_, otherToken) = await Platform.Identity.NewTenantAsync();
        var other = Platform.ClientFor(Platform.Service, otherToken);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(attachment.Str("url"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await UploadAsync(other, ticket, message, Png, "x.png", "image/png")).StatusCode);
        var (otherTicket, _) = await MessageAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await _service.GetAsync($"/api/v1/tickets/{otherTicket}/attachments/{attachment.Id()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await UploadAsync(_service, otherTicket, message, Png, "x.png", "image/png")).StatusCode);
        // Readers may download; only those who work tickets may upload.
        var reader = Platform.ClientFor(Platform.Service, await Platform.Identity.SignedTokenAsync("reader", TenantContext.DefaultTenantId, Roles.ReadOnly));
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(attachment.Str("url"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await UploadAsync(reader, ticket, message, Png, "x.png", "image/png")).StatusCode);
    }

    private async Task<T> IntakeAsync<T>(Func<TicketIntake, Task<T>> use, Guid? tenant = null)
    {
        await using var scope = Platform.Service.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = tenant ?? TenantContext.DefaultTenantId;
        return await use(scope.ServiceProvider.GetRequiredService<TicketIntake>());
    }

    [Fact]
    public async Task Intake_opens_a_ticket_once_per_message_threads_replies_and_opens_a_follow_up_for_a_closed_ticket()
    {
        var email = NewEmail();
        var messageId = $"<{Guid.NewGuid():N}@mail.customer.test>";
        var intake = new IntakeTicket("email", email, "Ada Lovelace", "Engine stalls", "Since this morning.", messageId, Language: "en");

        var created = await IntakeAsync(i => i.CreateTicketAsync(intake, CancellationToken.None));
        var again = await IntakeAsync(i => i.CreateTicketAsync(intake, CancellationToken.None));
        Assert.Equal(IntakeOutcome.Created, created.Outcome);
        Assert.Equal((IntakeOutcome.Duplicate, created.TicketId, created.MessageId), (again.Outcome, again.TicketId, again.MessageId));
        var ticket = (await _service.GetJsonAsync($"/api/v1/tickets/{created.TicketId}")).Body;
        Assert.Equal(("email", "Engine stalls", created.TicketNumber), (ticket.Str("channel"), ticket.Str("subject"), ticket.GetProperty("number").GetInt64()));
        Assert.Equal(created.TicketId, await IntakeAsync(i => i.FindTicketByMessageIdsAsync(["<unknown@x>", messageId], CancellationToken.None)));
        Assert.Equal(created.TicketId, await IntakeAsync(i => i.FindByNumberAsync(created.TicketNumber, CancellationToken.None)));
        Assert.Null(await IntakeAsync(i => i.FindTicketByMessageIdsAsync([messageId], CancellationToken.None), Guid.NewGuid()));

        // The requester becomes a person through Contacts, and their first message is theirs.
        var linked = await Eventually.ReturnsAsync(() => _service.GetJsonAsync($"/api/v1/tickets/{created.TicketId}"),
            answer => answer.Body.GetProperty("requester").Str("state") == "known", "the mailed ticket knows its requester");
        var personId = linked.Body.GetProperty("requester").Id();
        var first = Assert.Single((await _service.GetJsonAsync($"/api/v1/tickets/{created.TicketId}/messages")).Body.EnumerateArray());
        Assert.Equal(("customer", personId.ToString(), messageId), (first.Str("authorKind"), first.Str("authorId"), first.Str("externalMessageId")));

        // Waiting for the customer; their reply opens it again, once however often it is delivered.
        await _service.PostJsonAsync($"/api/v1/tickets/{created.TicketId}/messages", new { body = "Which engine?", status = "pending" }).CreatedAsync();
        var replyId = $"<{Guid.NewGuid():N}@mail.customer.test>";
        var reply = new IntakeMessage("email", email, "Ada Lovelace", "The analytical one.", replyId);
        var added = await IntakeAsync(i => i.AddCustomerMessageAsync(created.TicketId, reply, CancellationToken.None));
        Assert.Equal((IntakeOutcome.Added, "open"), (added!.Outcome, added.TicketStatus));
        Assert.Equal(IntakeOutcome.Duplicate, (await IntakeAsync(i => i.AddCustomerMessageAsync(created.TicketId, reply, CancellationToken.None)))!.Outcome);
        Assert.Equal(3, (await _service.GetJsonAsync($"/api/v1/tickets/{created.TicketId}/messages")).Body.GetArrayLength());

        // Solved and closed: a further mail opens a follow-up ticket for the same person.
        var current = (await _service.GetJsonAsync($"/api/v1/tickets/{created.TicketId}")).Body;
        var solved = await _service.PutJsonAsync($"/api/v1/tickets/{created.TicketId}", new { subject = "Engine stalls", status = "solved" }, current.ETag());
        var closed = await _service.PutJsonAsync($"/api/v1/tickets/{created.TicketId}", new { subject = "Engine stalls", status = "closed" }, solved.Body.ETag());
        Assert.Equal(HttpStatusCode.OK, closed.Status);
        var late = await IntakeAsync(i => i.AddCustomerMessageAsync(created.TicketId,
            new IntakeMessage("email", email, null, "Stalls again.", $"<{Guid.NewGuid():N}@x>"), CancellationToken.None));
        Assert.Equal(IntakeOutcome.FollowUpCreated, late!.Outcome);
        Assert.NotEqual(created.TicketId, late.TicketId);
        var followUp = (await _service.GetJsonAsync($"/api/v1/tickets/{late.TicketId}")).Body;
        Assert.Equal(("Engine stalls", "known", personId), (followUp.Str("subject"), followUp.GetProperty("requester").Str("state"), followUp.GetProperty("requester").Id()));
        Assert.Null(await IntakeAsync(i => i.AddCustomerMessageAsync(Guid.NewGuid(), reply with { ExternalMessageId = null }, CancellationToken.None)));
        Assert.Single(await ServiceEventsAsync<TicketCreated>(Platform, created.TicketId));
    }

    [Fact]
    public async Task Erasing_a_person_blanks_what_they_asked_and_wrote_on_their_tickets()
    {
        var person = await KnownPersonAsync(Platform);
        var ticket = await _service.PostJsonAsync("/api/v1/tickets", Ticket(requesterId: person.Id(), subject: "My address changed to Main St 1")).CreatedAsync();
        var customer = await _service.PostJsonAsync($"/api/v1/tickets/{ticket.Id()}/messages", new { body = "My phone is +44 20 7946 0000", authorKind = "customer" }).CreatedAsync();
        await _service.PostJsonAsync($"/api/v1/tickets/{ticket.Id()}/messages", new { body = "Updated.", kind = "internal" }).CreatedAsync();

        var request = await Platform.ClientFor(Platform.Contacts).PostJsonAsync("/api/v1/gdpr/requests", new { personId = person.Id(), type = "erasure" });
        Assert.True(request.Status is HttpStatusCode.Created or HttpStatusCode.Accepted, request.Body.ToString());

        var erased = await Eventually.ReturnsAsync(() => _service.GetJsonAsync($"/api/v1/tickets/{ticket.Id()}"),
            answer => answer.Body.Str("subject") == "(erased)", "Service erased the ticket's requester data");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, erased.Body.GetProperty("requester").GetProperty("email").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, erased.Body.GetProperty("description").ValueKind);
        var messages = (await _service.GetJsonAsync($"/api/v1/tickets/{ticket.Id()}/messages")).Body.EnumerateArray().ToList();
        Assert.Equal(["(erased)", "Updated."], messages.Select(m => m.Str("body")));
        Assert.Equal(customer.Id(), messages[0].Id());
    }
}
