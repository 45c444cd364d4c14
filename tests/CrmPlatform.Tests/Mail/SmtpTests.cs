using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CrmPlatform.Tests.Infrastructure;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace CrmPlatform.Tests.Mail;

/// <summary>The Mail project's SMTP side over real TCP: as MailKit sends, as a client speaks it raw, and when it stops.</summary>
public sealed class SmtpTests : IAsyncLifetime
{
    private const int MaxMessageBytes = 2048;
    private MailSink _sink = null!;

    public Task InitializeAsync()
    {
        _sink = MailSink.Start(new Dictionary<string, string> { ["Mail:MaxMessageBytes"] = MaxMessageBytes.ToString() });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _sink.DisposeAsync();

    [Fact]
    public async Task MailKit_delivers_to_several_recipients_and_the_envelope_shows_the_bcc_the_headers_do_not()
    {
        var message = new MimeMessage { Subject = "Grüße", MessageId = "fixed-id@example.test" };
        message.From.Add(MailboxAddress.Parse("CRM <no-reply@example.test>"));
        message.To.Add(MailboxAddress.Parse("ada@example.test"));
        message.Cc.Add(MailboxAddress.Parse("bob@example.test"));
        message.Bcc.Add(MailboxAddress.Parse("carol@example.test"));
        message.Body = new BodyBuilder { TextBody = ".starts with a dot\nÜmlaut", HtmlBody = "<p>Hello</p>" }.ToMessageBody();

        using (var client = new SmtpClient())
        {
            await client.ConnectAsync("127.0.0.1", _sink.SmtpPort, SecureSocketOptions.None);
            await client.SendAsync(message, MailboxAddress.Parse("bounces@example.test"), [.. message.GetRecipients()]);
            await client.DisconnectAsync(quit: true);
        }

        var mail = Assert.Single(_sink.Store.Messages);
        Assert.Equal("bounces@example.test", mail.MailFrom);
        Assert.Equal(["ada@example.test", "bob@example.test", "carol@example.test"], mail.Recipients);
        var received = mail.Message;
        Assert.Empty(received.Bcc);
        Assert.DoesNotContain("carol", Encoding.UTF8.GetString(mail.Raw));
        Assert.Equal("Grüße", received.Subject);
        Assert.Equal("fixed-id@example.test", received.MessageId);
        Assert.Equal(".starts with a dot\nÜmlaut", received.TextBody!.ReplaceLineEndings("\n").TrimEnd('\n'));
        Assert.Equal("<p>Hello</p>", received.HtmlBody!.Trim());
        Assert.Equal("multipart/alternative", received.Body!.ContentType.MimeType);
    }

    [Fact]
    public async Task A_raw_dialogue_delivers_dot_stuffed_lines_byte_for_byte()
    {
        await using var smtp = await RawSmtp.ConnectAsync(_sink.SmtpPort);
        Assert.StartsWith("220 ", await smtp.ReadReplyAsync());
        var ehlo = await smtp.SendAsync("EHLO client.test");
        Assert.Contains(ehlo.Split("\r\n"), line => line[4..] == $"SIZE {MaxMessageBytes}");
        Assert.StartsWith("250 ", ehlo.Split("\r\n")[^1]);
        Assert.StartsWith("250 ", await smtp.SendAsync("MAIL FROM:<sender@example.test> SIZE=100"));
        Assert.StartsWith("250 ", await smtp.SendAsync("RCPT TO:<one@example.test>"));
        Assert.StartsWith("250 ", await smtp.SendAsync("RCPT TO:<two@example.test>"));
        Assert.StartsWith("354 ", await smtp.SendAsync("DATA"));
        var queued = await smtp.SendAsync("Subject: dots\r\n\r\n..a line that began with a dot\r\nplain\r\n...\r\n.");
        Assert.StartsWith("250 ", queued);
        Assert.StartsWith("221 ", await smtp.SendAsync("QUIT"));

        var mail = Assert.Single(_sink.Store.Messages);
        Assert.Equal("sender@example.test", mail.MailFrom);
        Assert.Equal(["one@example.test", "two@example.test"], mail.Recipients);
        Assert.Contains(mail.Id.ToString("N"), queued);
        Assert.Equal("Subject: dots\r\n\r\n.a line that began with a dot\r\nplain\r\n..\r\n", Encoding.UTF8.GetString(mail.Raw));
        Assert.Equal("dots", mail.Subject);
    }

    [Fact]
    public async Task Messages_over_the_size_limit_are_refused_with_552_and_not_kept()
    {
        await using (var smtp = await RawSmtp.ConnectAsync(_sink.SmtpPort))
        {
            await smtp.ReadReplyAsync();
            await smtp.SendAsync("EHLO client.test");
            Assert.StartsWith("552 ", await smtp.SendAsync("MAIL FROM:<a@example.test> SIZE=999999"));
            // Without SIZE= (or with a false one) the limit holds while the data arrives.
            Assert.StartsWith("250 ", await smtp.SendAsync("MAIL FROM:<a@example.test> SIZE=100"));
            await smtp.SendAsync("RCPT TO:<b@example.test>");
            Assert.StartsWith("354 ", await smtp.SendAsync("DATA"));
            var big = string.Join("\r\n", Enumerable.Repeat(new string('y', 70), 60));
            Assert.StartsWith("552 ", await smtp.SendAsync($"Subject: big\r\n\r\n{big}\r\n."));
        }
        Assert.Empty(_sink.Store.Messages);

        // The refusal ends that session only: the next one delivers.
        await SendAsync("small", "b@example.test");
        Assert.Equal("small", Assert.Single(_sink.Store.Messages).Subject);
    }

    [Fact]
    public async Task Bytes_that_are_no_message_are_refused_with_554_and_not_kept()
    {
        await using var smtp = await RawSmtp.ConnectAsync(_sink.SmtpPort);
        await smtp.ReadReplyAsync();
        await smtp.SendAsync("EHLO client.test");
        await smtp.SendAsync("MAIL FROM:<>");
        await smtp.SendAsync("RCPT TO:<b@example.test>");
        await smtp.SendAsync("DATA");
        Assert.StartsWith("554 ", await smtp.SendAsync("no header section at all\r\n."));
        Assert.Empty(_sink.Store.Messages);
    }

    [Fact]
    public async Task Stopped_it_closes_the_port_and_reports_unhealthy_and_started_again_it_listens_on_the_same_port()
    {
        var port = _sink.SmtpPort;
        Assert.Equal(HttpStatusCode.OK, (await _sink.Http.GetAsync("/health")).StatusCode);

        await _sink.StopSmtpAsync();
        using (var client = new TcpClient())
        {
            await Assert.ThrowsAnyAsync<SocketException>(() => client.ConnectAsync("127.0.0.1", port));
        }
        var health = await _sink.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        var checks = JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement.GetProperty("checks");
        Assert.Equal("Unhealthy", checks.GetProperty("smtp").GetProperty("status").GetString());
        // The process is up: only readiness is lost.
        Assert.Equal(HttpStatusCode.OK, (await _sink.Http.GetAsync("/alive")).StatusCode);

        await _sink.StartSmtpAsync();
        Assert.Equal(port, _sink.SmtpPort);
        Assert.Equal(HttpStatusCode.OK, (await _sink.Http.GetAsync("/health")).StatusCode);
        await SendAsync("after the outage", "b@example.test");
        Assert.Equal("after the outage", Assert.Single(_sink.Store.Messages).Subject);
    }

    private Task SendAsync(string subject, string to)
    {
        var message = new MimeMessage { Subject = subject, Body = new TextPart("plain") { Text = "ok" } };
        message.From.Add(MailboxAddress.Parse("a@example.test"));
        message.To.Add(MailboxAddress.Parse(to));
        return _sink.SendAsync(message);
    }

    /// <summary>A client that writes SMTP lines and reads (multi-line) replies.</summary>
    private sealed class RawSmtp(TcpClient client, NetworkStream stream) : IAsyncDisposable
    {
        private readonly StreamReader _reader = new(stream, Encoding.UTF8);

        public static async Task<RawSmtp> ConnectAsync(int port)
        {
            var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            return new RawSmtp(client, client.GetStream());
        }

        public async Task<string> SendAsync(string line)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"));
            return await ReadReplyAsync();
        }

        public async Task<string> ReadReplyAsync()
        {
            var lines = new List<string>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (await _reader.ReadLineAsync(timeout.Token) is { } line)
            {
                lines.Add(line);
                if (line.Length < 4 || line[3] != '-')
                {
                    break;
                }
            }
            return string.Join("\r\n", lines);
        }

        public ValueTask DisposeAsync()
        {
            client.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
