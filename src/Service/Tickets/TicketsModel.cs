using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Tickets;

public static class TicketsModel
{
    public static ModelBuilder AddTickets(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Ticket>(ticket =>
        {
            ticket.ToTable("tickets");
            ticket.Property(t => t.Subject).HasMaxLength(Ticket.SubjectMaxLength);
            ticket.Property(t => t.Description).HasMaxLength(Ticket.DescriptionMaxLength);
            ticket.Property(t => t.Channel).HasMaxLength(20);
            ticket.Property(t => t.Status).HasMaxLength(20);
            ticket.Property(t => t.Priority).HasMaxLength(20);
            ticket.Property(t => t.RequesterEmail).HasMaxLength(320);
            ticket.Property(t => t.RequesterName).HasMaxLength(Ticket.NameMaxLength);
            ticket.Property(t => t.RequesterState).HasMaxLength(20);
            ticket.Property(t => t.RequesterProblem).HasMaxLength(1_000);
            ticket.Property(t => t.Category).HasMaxLength(Ticket.ValueMaxLength);
            ticket.Property(t => t.Topic).HasMaxLength(Ticket.ValueMaxLength);
            ticket.Property(t => t.Product).HasMaxLength(Ticket.ValueMaxLength);
            ticket.Property(t => t.Language).HasMaxLength(35);
            ticket.Property(t => t.AssigneeId).HasMaxLength(200);
            ticket.Property(t => t.AssignmentReason).HasMaxLength(1_000);
            ticket.HasIndex(t => new { t.TenantId, t.Number }).IsUnique();
            ticket.HasIndex(t => new { t.TenantId, t.CreatedAt, t.Id });
            ticket.HasIndex(t => new { t.TenantId, t.Status });
            // What the closer looks for across tenants (SolvedTicketCloser).
            ticket.HasIndex(t => t.SolvedAt).HasFilter("status = 'solved'");
            // Least-loaded routing counts unsolved tickets per agent.
            ticket.HasIndex(t => new { t.TenantId, t.AssigneeId, t.Status });
            ticket.HasIndex(t => new { t.TenantId, t.RequesterId });
        });
        modelBuilder.Entity<TicketNumber>(number =>
        {
            number.ToTable("ticket_numbers");
            number.HasKey(n => n.TenantId);
        });
        modelBuilder.Entity<TicketMessage>(message =>
        {
            message.ToTable("ticket_messages");
            message.Property(m => m.Kind).HasMaxLength(20);
            message.Property(m => m.AuthorKind).HasMaxLength(20);
            message.Property(m => m.AuthorId).HasMaxLength(200);
            message.Property(m => m.AuthorName).HasMaxLength(Ticket.NameMaxLength);
            message.Property(m => m.AuthorEmail).HasMaxLength(320);
            message.Property(m => m.Body).HasMaxLength(TicketMessage.BodyMaxLength);
            message.Property(m => m.Channel).HasMaxLength(20);
            message.Property(m => m.ExternalMessageId).HasMaxLength(TicketMessage.ExternalIdMaxLength);
            message.HasOne<Ticket>().WithMany().HasForeignKey(m => m.TicketId).OnDelete(DeleteBehavior.Cascade);
            message.HasIndex(m => new { m.TicketId, m.CreatedAt });
            // A message that arrives twice (a mail server's retry) is one message.
            message.HasIndex(m => new { m.TenantId, m.ExternalMessageId }).IsUnique().HasFilter("external_message_id IS NOT NULL");
        });
        modelBuilder.Entity<TicketAttachment>(attachment =>
        {
            attachment.ToTable("ticket_attachments");
            attachment.Property(a => a.FileName).HasMaxLength(TicketAttachment.FileNameMaxLength);
            attachment.Property(a => a.ContentType).HasMaxLength(100);
            attachment.Property(a => a.Sha256).HasMaxLength(64);
            attachment.Property(a => a.UploadedBy).HasMaxLength(200);
            attachment.HasOne<TicketMessage>().WithMany().HasForeignKey(a => a.MessageId).OnDelete(DeleteBehavior.Cascade);
            attachment.HasIndex(a => new { a.TicketId, a.MessageId });
        });
        return modelBuilder;
    }
}

/// <summary>The last ticket number a tenant handed out; advanced by one atomic upsert per ticket.</summary>
public sealed class TicketNumber
{
    public Guid TenantId { get; set; }
    public long Last { get; set; }
}
