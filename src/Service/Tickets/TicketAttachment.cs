using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Service.Tickets;

/// <summary>
/// A file on a ticket message, kept in the database (bytea) rather than on disk: nothing the client names ever becomes
/// a path, it is backed up and isolated per tenant with the ticket, and it goes when the ticket does.
/// <see cref="FileName"/> is only ever shown and offered as the download's name.
/// </summary>
public sealed class TicketAttachment : Entity
{
    public const int FileNameMaxLength = 255;

    public Guid TicketId { get; set; }
    public Guid MessageId { get; set; }
    public string FileName { get; set; } = "";
    /// <summary>What the bytes are (checked against their signature), not what the client said.</summary>
    public string ContentType { get; set; } = "";
    public long Size { get; set; }
    public string Sha256 { get; set; } = "";
    public string? UploadedBy { get; set; }
    public byte[] Content { get; set; } = [];
}
