using System.Net;
using System.Text.Json;
using CrmPlatform.Tests.Infrastructure;
using MimeKit;

namespace CrmPlatform.Tests.Mail;

/// <summary><c>/api/mail</c> over HTTP on real Kestrel, filled over real SMTP.</summary>
public sealed class MailApiTests : IAsyncLifetime
{
    private MailSink _sink = null!;

    public Task InitializeAsync()
    {
        _sink = MailSink.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _sink.DisposeAsync();

    [Fact]
    public async Task The_list_is_newest_first_a_message_comes_in_full_and_raw_and_delete_empties_the_store()
    {
        await _sink.SendAsync(Message("First", "ada@example.test"));
        var second = Message("Second", "bob@example.test");
        second.Bcc.Add(MailboxAddress.Parse("carol@example.test"));
        await _sink.SendAsync(second);

        var list = await GetJsonAsync("/api/mail");
        Assert.Equal(["Second", "First"], list.EnumerateArray().Select(m => m.GetProperty("subject").GetString()));
        var summary = list[0];
        Assert.Equal(
            ["id", "receivedAt", "envelopeFrom", "envelopeTo", "from", "to", "subject", "messageId", "size"],
            summary.EnumerateObject().Select(p => p.Name));
        Assert.Equal("no-reply@example.test", summary.GetProperty("envelopeFrom").GetString());
        Assert.Equal(["bob@example.test", "carol@example.test"], summary.GetProperty("envelopeTo").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["bob@example.test"], summary.GetProperty("to").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("\"CRM\" <no-reply@example.test>", summary.GetProperty("from").GetString());
        Assert.Equal("second@example.test", summary.GetProperty("messageId").GetString());
        var id = summary.GetProperty("id").GetGuid();
        var stored = _sink.Store.Find(id)!;
        Assert.Equal(stored.Raw.Length, summary.GetProperty("size").GetInt32());
        Assert.Equal(stored.ReceivedAt, summary.GetProperty("receivedAt").GetDateTimeOffset());
        Assert.Equal(["Second"], (await GetJsonAsync("/api/mail?limit=1")).EnumerateArray().Select(m => m.GetProperty("subject").GetString()));

        var detail = await GetJsonAsync($"/api/mail/{id}");
        Assert.Equal(summary.GetRawText(), detail.GetProperty("summary").GetRawText());
        Assert.Equal("Hello Second, see https://crm.example.test/a?b=c", detail.GetProperty("text").GetString()!.TrimEnd());
        Assert.Equal("<p>Hello Second</p>", detail.GetProperty("html").GetString()!.Trim());
        var headers = detail.GetProperty("headers").EnumerateArray().ToDictionary(h => h.GetProperty("name").GetString()!, h => h.GetProperty("value").GetString());
        Assert.Equal("Second", headers["Subject"]);
        Assert.False(headers.ContainsKey("Bcc"));

        using var raw = await _sink.Http.GetAsync($"/api/mail/{id}/raw");
        Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
        Assert.Equal("message/rfc822", raw.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"{id:N}.eml", raw.Content.Headers.ContentDisposition?.FileName);
        Assert.Equal(stored.Raw, await raw.Content.ReadAsByteArrayAsync());

        Assert.Equal(HttpStatusCode.NoContent, (await _sink.Http.DeleteAsync("/api/mail")).StatusCode);
        Assert.Empty((await GetJsonAsync("/api/mail")).EnumerateArray());
        await AssertNotFoundProblemAsync($"/api/mail/{id}");
    }

    [Fact]
    public async Task An_unknown_message_is_a_404_problem()
    {
        var id = Guid.CreateVersion7();
        await AssertNotFoundProblemAsync($"/api/mail/{id}");
        await AssertNotFoundProblemAsync($"/api/mail/{id}/raw");
    }

    [Fact]
    public async Task Beyond_its_capacity_the_store_drops_the_oldest()
    {
        await using var small = MailSink.Start(new Dictionary<string, string> { ["Mail:Capacity"] = "3" });
        foreach (var n in Enumerable.Range(1, 5))
        {
            await small.SendAsync(Message($"Message {n}", "ada@example.test"));
        }
        var list = JsonDocument.Parse(await small.Http.GetStringAsync("/api/mail")).RootElement;
        Assert.Equal(["Message 5", "Message 4", "Message 3"], list.EnumerateArray().Select(m => m.GetProperty("subject").GetString()));
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await _sink.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private async Task AssertNotFoundProblemAsync(string path)
    {
        using var response = await _sink.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.Equal("Not Found", problem.GetProperty("title").GetString());
        Assert.Contains(path.Split('/')[3], problem.GetProperty("detail").GetString());
    }

    private static MimeMessage Message(string subject, string to)
    {
        var message = new MimeMessage { Subject = subject, MessageId = $"{subject.ToLowerInvariant().Replace(' ', '-')}@example.test" };
        message.From.Add(MailboxAddress.Parse("CRM <no-reply@example.test>"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Body = new BodyBuilder { TextBody = $"Hello {subject}, see https://crm.example.test/a?b=c", HtmlBody = $"<p>Hello {subject}</p>" }.ToMessageBody();
        return message;
    }
}
