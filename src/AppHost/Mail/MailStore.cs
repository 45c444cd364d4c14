using MimeKit;

namespace CrmPlatform.AppHost.Mail;

/// <summary>One message as the sink received it: the SMTP envelope and the message's bytes (a Received: line first).</summary>
public sealed class ReceivedMail(Guid id, DateTimeOffset receivedAt, string mailFrom, IReadOnlyList<string> recipients, byte[] raw)
{
    private readonly Lazy<MimeMessage> _message = new(() => MimeMessage.Load(new MemoryStream(raw, writable: false)));

    public Guid Id { get; } = id;
    public DateTimeOffset ReceivedAt { get; } = receivedAt;
    /// <summary>The envelope sender (MAIL FROM), which may differ from the From: header.</summary>
    public string MailFrom { get; } = mailFrom;
    /// <summary>The envelope recipients (RCPT TO), Bcc included.</summary>
    public IReadOnlyList<string> Recipients { get; } = recipients;
    public byte[] Raw { get; } = raw;

    /// <summary>The message parsed by MimeKit (once, on first use).</summary>
    public MimeMessage Message => _message.Value;
}

/// <summary>
/// The messages the sink has received, newest first, in memory and bounded like the telemetry store: the oldest go
/// first. Thread-safe; <see cref="Changed"/> tells the dashboard.
/// </summary>
public sealed class MailStore(int capacity = 1000)
{
    private readonly LinkedList<ReceivedMail> _messages = new();
    private readonly Lock _gate = new();

    public event Action? Changed;

    public int Capacity { get; } = capacity;

    public IReadOnlyList<ReceivedMail> Messages
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages];
            }
        }
    }

    public ReceivedMail? Find(Guid id)
    {
        lock (_gate)
        {
            return _messages.FirstOrDefault(m => m.Id == id);
        }
    }

    public void Add(ReceivedMail mail)
    {
        lock (_gate)
        {
            _messages.AddFirst(mail);
            if (_messages.Count > Capacity)
            {
                _messages.RemoveLast();
            }
        }
        Changed?.Invoke();
    }

    public void Clear()
    {
        lock (_gate)
        {
            _messages.Clear();
        }
        Changed?.Invoke();
    }
}
