using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CrmPlatform.AppHost.Mail;

/// <summary>
/// A small SMTP server that keeps what it receives in a <see cref="MailStore"/> instead of relaying it, for developers
/// and tests (like MailPit or MailDev): the subset of RFC 5321 a client needs to deliver mail (EHLO/HELO, MAIL FROM,
/// RCPT TO, DATA with dot-stuffing, RSET, NOOP, VRFY, QUIT), with SIZE (RFC 1870), 8BITMIME and SMTPUTF8 accepted.
/// No TLS, no authentication, no relaying: it listens on loopback only.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private const int MaxCommandLine = 2048;
    private const int MaxRecipients = 100;
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(5);

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _sessions = [];
    private readonly Lock _gate = new();
    private Task? _accepting;

    /// <param name="port">0 for a free port.</param>
    /// <param name="maxMessageBytes">Larger messages are refused (552), announced in EHLO as SIZE.</param>
    public SmtpSink(MailStore store, int port = 0, long maxMessageBytes = 10 * 1024 * 1024, string hostName = "localhost", Action<string>? log = null)
    {
        Store = store;
        MaxMessageBytes = maxMessageBytes;
        HostName = hostName;
        Log = log ?? (_ => { });
        _listener = new TcpListener(IPAddress.Loopback, port);
    }

    public MailStore Store { get; }
    public long MaxMessageBytes { get; }
    public string HostName { get; }
    private Action<string> Log { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Aspire's form for mail servers: <c>smtp://127.0.0.1:port</c>.</summary>
    public string ConnectionString => $"smtp://127.0.0.1:{Port}";

    public void Start()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        if (_accepting is not null)
        {
            await _accepting;
        }
        Task[] sessions;
        lock (_gate)
        {
            sessions = [.. _sessions];
        }
        await Task.WhenAll(sessions);
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            var session = Task.Run(() => ServeAsync(client));
            lock (_gate)
            {
                _sessions.RemoveAll(s => s.IsCompleted);
                _sessions.Add(session);
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                await using var stream = client.GetStream();
                var session = new Session(this, stream, client.Client.RemoteEndPoint as IPEndPoint);
                await session.RunAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away, idled out, or the sink stops: nothing half-received is kept.
            }
        }
    }

    /// <summary>One connection: the command loop and the current mail transaction.</summary>
    private sealed class Session(SmtpSink sink, NetworkStream stream, IPEndPoint? remote)
    {
        private readonly LineReader _reader = new(stream);
        private string? _helo;
        private string? _mailFrom;
        private readonly List<string> _recipients = [];

        public async Task RunAsync(CancellationToken stopping)
        {
            await ReplyAsync($"220 {sink.HostName} CRM mail sink ESMTP ready", stopping);
            while (true)
            {
                var line = await ReadLineAsync(MaxCommandLine, stopping);
                if (line is null)
                {
                    return;
                }
                if (ReferenceEquals(line, LineReader.TooLong))
                {
                    await ReplyAsync("500 5.5.6 Line too long", stopping);
                    continue;
                }
                var text = Encoding.UTF8.GetString(line);
                var space = text.IndexOf(' ');
                var verb = (space < 0 ? text : text[..space]).ToUpperInvariant();
                var argument = space < 0 ? "" : text[(space + 1)..].Trim();
                switch (verb)
                {
                    case "EHLO":
                        _helo = argument;
                        Reset();
                        await ReplyAsync($"250-{sink.HostName} greets {argument}\r\n250-SIZE {sink.MaxMessageBytes}\r\n250-8BITMIME\r\n250 SMTPUTF8", stopping);
                        break;
                    case "HELO":
                        _helo = argument;
                        Reset();
                        await ReplyAsync($"250 {sink.HostName}", stopping);
                        break;
                    case "MAIL":
                        await ReplyAsync(Mail(argument), stopping);
                        break;
                    case "RCPT":
                        await ReplyAsync(Recipient(argument), stopping);
                        break;
                    case "DATA":
                        await DataAsync(stopping);
                        break;
                    case "RSET":
                        Reset();
                        await ReplyAsync("250 2.0.0 OK", stopping);
                        break;
                    case "NOOP":
                        await ReplyAsync("250 2.0.0 OK", stopping);
                        break;
                    case "VRFY":
                        await ReplyAsync("252 2.1.5 Cannot verify, but will accept", stopping);
                        break;
                    case "QUIT":
                        await ReplyAsync($"221 2.0.0 {sink.HostName} closing", stopping);
                        return;
                    default:
                        await ReplyAsync("500 5.5.2 Command not recognized", stopping);
                        break;
                }
            }
        }

        private string Mail(string argument)
        {
            if (_helo is null)
            {
                return "503 5.5.1 Send EHLO or HELO first";
            }
            if (_mailFrom is not null)
            {
                return "503 5.5.1 Nested MAIL command";
            }
            if (!TryPath(argument, "FROM:", out var address, out var parameters))
            {
                return "501 5.5.4 Syntax: MAIL FROM:<address>";
            }
            var size = parameters.FirstOrDefault(p => p.StartsWith("SIZE=", StringComparison.OrdinalIgnoreCase));
            if (size is not null && long.TryParse(size[5..], out var declared) && declared > sink.MaxMessageBytes)
            {
                return $"552 5.3.4 Message size exceeds the limit of {sink.MaxMessageBytes} bytes";
            }
            _mailFrom = address;
            return "250 2.1.0 OK";
        }

        private string Recipient(string argument)
        {
            if (_mailFrom is null)
            {
                return "503 5.5.1 Need MAIL before RCPT";
            }
            if (!TryPath(argument, "TO:", out var address, out _) || address.Length == 0)
            {
                return "501 5.5.4 Syntax: RCPT TO:<address>";
            }
            if (_recipients.Count >= MaxRecipients)
            {
                return "452 4.5.3 Too many recipients";
            }
            _recipients.Add(address);
            return "250 2.1.5 OK";
        }

        private async Task DataAsync(CancellationToken stopping)
        {
            if (_mailFrom is null || _recipients.Count == 0)
            {
                await ReplyAsync(_mailFrom is null ? "503 5.5.1 Need MAIL command" : "554 5.5.1 No valid recipients", stopping);
                return;
            }
            await ReplyAsync("354 End data with <CR><LF>.<CR><LF>", stopping);

            var id = Guid.CreateVersion7();
            var receivedAt = DateTimeOffset.UtcNow;
            using var content = new MemoryStream();
            var received = Encoding.UTF8.GetBytes(
                $"Received: from {_helo} ([{remote?.Address}]) by {sink.HostName} with ESMTP id {id:N}; {receivedAt:ddd, dd MMM yyyy HH:mm:ss} +0000\r\n");
            content.Write(received);
            var tooLarge = false;
            while (true)
            {
                // Lines of any length: only the total counts against the limit.
                var line = await ReadLineAsync((int)Math.Min(int.MaxValue - 1, sink.MaxMessageBytes + 2), stopping)
                    ?? throw new IOException("The connection closed during DATA.");
                if (ReferenceEquals(line, LineReader.TooLong))
                {
                    tooLarge = true;
                    continue;
                }
                if (line is [(byte)'.'])
                {
                    break;
                }
                // Dot-stuffing (RFC 5321 4.5.2): a line starting with '.' came with one more.
                var unstuffed = line.Length > 0 && line[0] == (byte)'.' ? line.AsSpan(1) : line;
                tooLarge |= content.Length + unstuffed.Length + 2 > sink.MaxMessageBytes + received.Length;
                if (!tooLarge)
                {
                    content.Write(unstuffed);
                    content.Write("\r\n"u8);
                }
            }

            if (tooLarge)
            {
                Reset();
                await ReplyAsync($"552 5.3.4 Message size exceeds the limit of {sink.MaxMessageBytes} bytes", stopping);
                return;
            }
            var mail = new ReceivedMail(id, receivedAt, _mailFrom, [.. _recipients], content.ToArray());
            sink.Store.Add(mail);
            sink.Log($"Received message {id:N} for {mail.Recipients.Count} recipient(s), {mail.Raw.Length} bytes");
            Reset();
            await ReplyAsync($"250 2.0.0 OK: queued as {id:N}", stopping);
        }

        private void Reset()
        {
            _mailFrom = null;
            _recipients.Clear();
        }

        /// <summary>Reads <c>FROM:&lt;address&gt; PARAM=…</c>; the null reverse path <c>&lt;&gt;</c> is an empty address.</summary>
        private static bool TryPath(string argument, string keyword, out string address, out string[] parameters)
        {
            address = "";
            parameters = [];
            if (!argument.StartsWith(keyword, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
            var rest = argument[keyword.Length..].TrimStart();
            var end = rest.IndexOf('>');
            if (!rest.StartsWith('<') || end < 0)
            {
                return false;
            }
            address = rest[1..end];
            parameters = rest[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return true;
        }

        private async Task<byte[]?> ReadLineAsync(int maxLength, CancellationToken stopping)
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            idle.CancelAfter(IdleTimeout);
            return await _reader.ReadLineAsync(maxLength, idle.Token);
        }

        private async Task ReplyAsync(string reply, CancellationToken stopping) =>
            await stream.WriteAsync(Encoding.UTF8.GetBytes(reply + "\r\n"), stopping);
    }

    /// <summary>Lines as bytes (mail may be 8-bit), ended by CRLF or a bare LF; a line past the limit is skipped and reported as too long.</summary>
    private sealed class LineReader(Stream stream)
    {
        /// <summary>Returned (this very instance) for a line longer than asked for; its content is not kept.</summary>
        public static readonly byte[] TooLong = new byte[1];

        private readonly byte[] _buffer = new byte[8192];
        private int _start;
        private int _end;

        /// <returns>The line without its ending; null at the end of the stream; <see cref="TooLong"/>.</returns>
        public async Task<byte[]?> ReadLineAsync(int maxLength, CancellationToken cancellationToken)
        {
            using var line = new MemoryStream();
            var tooLong = false;
            while (true)
            {
                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                var take = (newline < 0 ? _end : newline) - _start;
                if (!tooLong && line.Length + take <= maxLength)
                {
                    line.Write(_buffer, _start, take);
                }
                else
                {
                    tooLong = true;
                }
                if (newline >= 0)
                {
                    _start = newline + 1;
                    if (tooLong)
                    {
                        return TooLong;
                    }
                    var bytes = line.ToArray();
                    return bytes.Length > 0 && bytes[^1] == '\r' ? bytes[..^1] : bytes;
                }
                _start = _end = 0;
                var read = await stream.ReadAsync(_buffer, cancellationToken);
                if (read == 0)
                {
                    return null;
                }
                _end = read;
            }
        }
    }
}
