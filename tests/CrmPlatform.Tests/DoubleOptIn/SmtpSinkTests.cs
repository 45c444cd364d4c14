using System.Net.Sockets;
using System.Text;
using CrmPlatform.AppHost.Mail;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace CrmPlatform.Tests.DoubleOptIn;

/// <summary>The AppHost's SMTP sink over real TCP: the protocol as a client speaks it, raw and through MailKit.</summary>
public sealed class SmtpSinkTests : IAsyncLifetime
{
    private readonly MailStore _store = new();
    private SmtpSink _sink = null!;

    public Task InitializeAsync()
    {
        _sink = new SmtpSink(_store, maxMessageBytes: 2048);
        _sink.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _sink.DisposeAsync();

    [Fact]
    public async Task A_raw_dialogue_delivers_a_dot_stuffed_message_byte_for_byte()
    {
        await using var smtp = await RawSmtp.ConnectAsync(_sink.Port);
        Assert.StartsWith("220 ", await smtp.ReadReplyAsync());
        var ehlo = await smtp.SendAsync("EHLO client.test");
        Assert.Contains("250-SIZE 2048", ehlo);
        Assert.StartsWith("250 ", ehlo.Split("\r\n")[^1]);
        Assert.StartsWith("250 ", await smtp.SendAsync("NOOP"));
        Assert.StartsWith("250 ", await smtp.SendAsync("MAIL FROM:<sender@example.test> SIZE=100"));
        Assert.StartsWith("250 ", await smtp.SendAsync("RCPT TO:<one@example.test>"));
        Assert.StartsWith("250 ", await smtp.SendAsync("RCPT TO:<two@example.test>"));
        Assert.StartsWith("354 ", await smtp.SendAsync("DATA"));
        var queued = await smtp.SendAsync("Subject: dots\r\n\r\n..a line that began with a dot\r\nplain\r\n...\r\n.");
        Assert.StartsWith("250 ", queued);
        Assert.StartsWith("221 ", await smtp.SendAsync("QUIT"));

        var mail = Assert.Single(_store.Messages);
        Assert.Equal("sender@example.test", mail.MailFrom);
        Assert.Equal(["one@example.test", "two@example.test"], mail.Recipients);
        Assert.Contains(mail.Id.ToString("N"), queued);
        var body = Encoding.UTF8.GetString(mail.Raw);
        Assert.StartsWith("Received: from client.test ", body);
        Assert.EndsWith("Subject: dots\r\n\r\n.a line that began with a dot\r\nplain\r\n..\r\n", body);
        Assert.Equal("dots", mail.Message.Subject);
    }

    [Fact]
    public async Task Commands_out_of_order_are_refused_and_rset_starts_over()
    {
        await using var smtp = await RawSmtp.ConnectAsync(_sink.Port);
        await smtp.ReadReplyAsync();
        Assert.StartsWith("503 ", await smtp.SendAsync("MAIL FROM:<a@example.test>"));
        await smtp.SendAsync("HELO client.test");
        Assert.StartsWith("503 ", await smtp.SendAsync("RCPT TO:<b@example.test>"));
        Assert.StartsWith("503 ", await smtp.SendAsync("DATA"));
        Assert.StartsWith("501 ", await smtp.SendAsync("MAIL FROM:a@example.test"));
        Assert.StartsWith("250 ", await smtp.SendAsync("MAIL FROM:<a@example.test>"));
        Assert.StartsWith("503 ", await smtp.SendAsync("MAIL FROM:<again@example.test>"));
        Assert.StartsWith("554 ", await smtp.SendAsync("DATA"));
        Assert.StartsWith("250 ", await smtp.SendAsync("RCPT TO:<b@example.test>"));
        Assert.StartsWith("250 ", await smtp.SendAsync("RSET"));
        Assert.StartsWith("503 ", await smtp.SendAsync("DATA"));
        Assert.StartsWith("500 ", await smtp.SendAsync("TURN"));
        Assert.StartsWith("500 ", await smtp.SendAsync(new string('x', 5000)));
        Assert.StartsWith("250 ", await smtp.SendAsync("NOOP"));
        Assert.Empty(_store.Messages);
    }

    [Fact]
    public async Task Messages_over_the_size_limit_are_refused_and_not_kept()
    {
        await using var smtp = await RawSmtp.ConnectAsync(_sink.Port);
        await smtp.ReadReplyAsync();
        await smtp.SendAsync("EHLO client.test");
        Assert.StartsWith("552 ", await smtp.SendAsync("MAIL FROM:<a@example.test> SIZE=999999"));
        await smtp.SendAsync("MAIL FROM:<a@example.test>");
        await smtp.SendAsync("RCPT TO:<b@example.test>");
        await smtp.SendAsync("DATA");
        var big = string.Join("\r\n", Enumerable.Repeat(new string('y', 70), 60));
        Assert.StartsWith("552 ", await smtp.SendAsync($"Subject: big\r\n\r\n{big}\r\n."));
        // The session goes on: a small message after the refused one is delivered.
        await smtp.SendAsync("MAIL FROM:<a@example.test>");
        await smtp.SendAsync("RCPT TO:<b@example.test>");
        await smtp.SendAsync("DATA");
        Assert.StartsWith("250 ", await smtp.SendAsync("Subject: small\r\n\r\nok\r\n."));
        Assert.Equal("small", Assert.Single(_store.Messages).Message.Subject);
    }

    [Fact]
    public async Task MailKit_delivers_a_multipart_message_that_MimeKit_reads_back()
    {
        var message = new MimeMessage { Subject = "Grüße", MessageId = "fixed-id@example.test" };
        message.From.Add(MailboxAddress.Parse("CRM <no-reply@example.test>"));
        message.To.Add(MailboxAddress.Parse("ada@example.test"));
        message.Body = new BodyBuilder { TextBody = ".starts with a dot\nÜmlaut", HtmlBody = "<p>Hello</p>" }.ToMessageBody();

        using (var client = new SmtpClient())
        {
            await client.ConnectAsync("127.0.0.1", _sink.Port, SecureSocketOptions.None);
            await client.SendAsync(message);
            await client.DisconnectAsync(quit: true);
        }

        var received = Assert.Single(_store.Messages).Message;
        Assert.Equal("Grüße", received.Subject);
        Assert.Equal("fixed-id@example.test", received.MessageId);
        Assert.Equal(".starts with a dot\nÜmlaut", received.TextBody!.ReplaceLineEndings("\n").TrimEnd('\n'));
        Assert.Equal("<p>Hello</p>", received.HtmlBody!.Trim());
        Assert.Equal("multipart/alternative", received.Body!.ContentType.MimeType);
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
