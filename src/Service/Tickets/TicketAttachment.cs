using System.Security.Cryptography;
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

    /// <summary>
    /// The attachment a file makes, or why it makes none: empty, larger than <paramref name="maxBytes"/>, none of the
    /// types its bytes can prove (<see cref="FileSignatures.Allowed"/>), or not the type it says it is. One rule for the
    /// API's uploads and for files arriving with mail; the caller links it to its ticket and message.
    /// </summary>
    public static (TicketAttachment? Attachment, string? Refusal) Check(string? fileName, string? declaredType, byte[] content, long maxBytes, string? uploadedBy)
    {
        if (content.Length == 0)
        {
            return (null, "The file is empty.");
        }
        if (content.Length > maxBytes)
        {
            return (null, $"An attachment is limited to {maxBytes} bytes; this one has {content.Length}.");
        }
        if (FileSignatures.Detect(content) is not { } detected)
        {
            return (null, $"The file is none of the accepted types ({string.Join(", ", FileSignatures.Allowed)}).");
        }
        var declared = FileSignatures.MediaType(declaredType);
        if (declared is not null && declared != "application/octet-stream" && declared != detected)
        {
            return (null, $"The file says it is '{declared}' but its content is '{detected}'.");
        }
        return (new TicketAttachment
        {
            FileName = FileSignatures.SafeFileName(fileName),
            ContentType = detected,
            Size = content.Length,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
            UploadedBy = uploadedBy,
            Content = content,
        }, null);
    }
}
