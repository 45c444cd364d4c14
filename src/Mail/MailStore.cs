using MimeKit;

namespace CrmPlatform.Mail;

/// <summary>One message as the sink received it: the SMTP envelope and the message's bytes as the client sent them.</summary>
public sealed class ReceivedMail
{
    /// <exception cref="FormatException">The bytes are not a message MimeKit can read (no header section).</exception>
    public ReceivedMail(Guid id, DateTimeOffset receivedAt, string mailFrom, IReadOnlyList<string> recipients, byte[] raw, string? client = null)
    {
        Id = id;
        Client = client;
        ReceivedAt = receivedAt;
        MailFrom = mailFrom;
        Recipients = recipients;
        Raw = raw;
        // What every list shows is read once, on arrival; an unreadable message is refused there rather than kept.
        var message = Message;
        From = message.From.ToString();
        To = [.. message.To.Mailboxes.Select(m => m.Address)];
        Subject = message.Subject;
        MessageId = message.MessageId;
    }

    public Guid Id { get; }
    public DateTimeOffset ReceivedAt { get; }
    /// <summary>The envelope sender (MAIL FROM), which may differ from the From: header; empty for the null sender.</summary>
    public string MailFrom { get; }
    /// <summary>The envelope recipients (RCPT TO), Bcc included: the only place a Bcc shows.</summary>
    public IReadOnlyList<string> Recipients { get; }
    public byte[] Raw { get; }
    /// <summary>The client's address and port: which connection brought the message (a sender may use several).</summary>
    public string? Client { get; }

    public string From { get; }
    /// <summary>The addresses in the To: header.</summary>
    public IReadOnlyList<string> To { get; }
    public string? Subject { get; }
    public string? MessageId { get; }

    /// <summary>
    /// The message parsed anew on every call: MimeKit's objects are not thread-safe, and requests read one message at
    /// the same time; keeping only the bytes also keeps the store at the size of what was received.
    /// </summary>
    public MimeMessage Message => MimeMessage.Load(new MemoryStream(Raw, writable: false));
}

/// <summary>
/// What the sink has received, newest first, in memory: a development tool needs no durability, and a bound keeps a
/// sender in a loop from eating the machine's memory, so beyond <see cref="Capacity"/> the oldest go. Thread-safe.
/// </summary>
public sealed class MailStore(int capacity = 1000)
{
    private readonly LinkedList<ReceivedMail> _messages = new();
    private readonly Lock _gate = new();

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
    }

    public void Clear()
    {
        lock (_gate)
        {
            _messages.Clear();
        }
    }
}
