using CrmPlatform.Service.Data;
using CrmPlatform.Service.Tickets;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Mail.Inbound;

/// <summary>
/// One received message for one tenant's support address, within a scope of its own: dropped when a machine wrote it,
/// else threaded into the ticket it answers or made a new ticket. Threading goes by In-Reply-To/References first (the
/// ids are the tenant's own messages, so they cannot be guessed into another's ticket), then by <c>[#n]</c> in the
/// subject, which anybody can type: that one counts only when the sender is the ticket's requester or already wrote
/// on the ticket; otherwise the message opens a new ticket rather than landing in a stranger's conversation.
/// </summary>
public sealed partial class InboundMailProcessor(
    ServiceDbContext db, TenantContext tenant, TicketIntake intake, InboundMailMetrics metrics, IConfiguration configuration, ILogger<InboundMailProcessor> logger)
{
    public async Task<IntakeResult?> ProcessAsync(SupportAddress address, InboundMail mail, CancellationToken cancellationToken)
    {
        tenant.TenantId = address.TenantId;
        tenant.ActorId = null;
        tenant.SeesWholeTenant = true;

        var reason = mail.LoopReason;
        if (reason is null && mail.FromAddress is null)
        {
            reason = "no-sender";
        }
        if (reason is null && await db.SupportAddresses.AnyAsync(a => a.Address == mail.FromAddress, cancellationToken))
        {
            reason = "own-address";
        }
        if (reason is not null)
        {
            metrics.Count("dropped", reason);
            LogDropped(logger, mail.MessageId, mail.FromAddress, address.Address, reason);
            return null;
        }

        var ticketId = await intake.FindTicketByMessageIdsAsync(mail.ThreadIds, cancellationToken);
        if (ticketId is null && mail.TicketNumber is { } number && await intake.FindByNumberAsync(number, cancellationToken) is { } numbered
            && await MayWriteOnAsync(numbered, mail.FromAddress!, cancellationToken))
        {
            ticketId = numbered;
        }

        var (attachments, body) = Files(mail);
        IntakeResult? result = null;
        if (ticketId is { } existing)
        {
            result = await intake.AddCustomerMessageAsync(existing, new IntakeMessage(TicketChannels.Email, mail.FromAddress!, mail.FromName, body, mail.MessageId,
                attachments), cancellationToken);
        }
        if (result is null)
        {
            result = await intake.CreateTicketAsync(new IntakeTicket(TicketChannels.Email, mail.FromAddress!, mail.FromName, mail.Subject, body, mail.MessageId,
                Language: address.Language, Attachments: attachments), cancellationToken);
            if (result.Outcome == IntakeOutcome.Created && address.GroupId is { } group)
            {
                // The address's group where routing chose none: routing's rules stay first.
                await db.Tickets.Where(t => t.Id == result.TicketId && t.GroupId == null)
                    .ExecuteUpdateAsync(t => t.SetProperty(x => x.GroupId, group), cancellationToken);
            }
        }
        metrics.Count(result.Outcome.ToString().ToLowerInvariant());
        LogTaken(logger, mail.MessageId, address.Address, result.Outcome, result.TicketNumber);
        return result;
    }

    /// <summary>
    /// The mail's files that tickets accept, by the uploads' rule (<see cref="TicketAttachment.Check"/>); a file refused
    /// is named at the end of the message's text with the reason, so the agent knows something was sent and not kept,
    /// and the rest of the message still becomes the ticket (a sender's server cannot fix an attachment).
    /// </summary>
    private (List<TicketAttachment> Attachments, string Body) Files(InboundMail mail)
    {
        var maxBytes = AttachmentsApi.MaxBytes(configuration);
        var attachments = new List<TicketAttachment>();
        var refused = new List<string>();
        foreach (var file in mail.Files)
        {
            var (attachment, refusal) = TicketAttachment.Check(file.FileName, file.ContentType, file.Content, maxBytes, uploadedBy: null);
            if (attachment is null)
            {
                refused.Add($"[Attachment \"{FileSignatures.SafeFileName(file.FileName)}\" was not kept: {refusal}]");
            }
            else
            {
                attachments.Add(attachment);
            }
        }
        return (attachments, refused.Count == 0 ? mail.Body : $"{mail.Body}\n\n{string.Join('\n', refused)}".Trim());
    }

    private async Task<bool> MayWriteOnAsync(Guid ticketId, string sender, CancellationToken cancellationToken) =>
        await db.Tickets.AnyAsync(t => t.Id == ticketId && t.RequesterEmail == sender, cancellationToken)
        || await db.TicketMessages.AnyAsync(m => m.TicketId == ticketId && m.AuthorKind == AuthorKinds.Customer && m.AuthorEmail == sender, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped mail {MessageId} from <{From}> to {Address}: {Reason}")]
    private static partial void LogDropped(ILogger logger, string messageId, string? from, string address, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mail {MessageId} to {Address}: {Outcome}, ticket #{Number}")]
    private static partial void LogTaken(ILogger logger, string messageId, string address, IntakeOutcome outcome, long number);
}
