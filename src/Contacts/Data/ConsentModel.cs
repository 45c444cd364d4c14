using CrmPlatform.Contacts.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Data;

internal static class ConsentModel
{
    public const string HistoryTable = "consent_records";

    /// <summary>
    /// Consents and their history. Neither has a foreign key to people: the history outlives a deleted person as
    /// evidence (see the architecture notes), and the API checks the person itself.
    /// </summary>
    public static ModelBuilder AddConsents(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Consent>(consent =>
        {
            consent.Property(c => c.Purpose).HasMaxLength(50);
            consent.Property(c => c.Channel).HasMaxLength(20);
            consent.Property(c => c.Status).HasMaxLength(20);
            // One current state per person, purpose and channel: two first statements racing cannot make two.
            consent.HasIndex(c => new { c.TenantId, c.PersonId, c.Purpose, c.Channel }).IsUnique();
        });

        modelBuilder.Entity<ConsentRecord>(record =>
        {
            record.ToTable(HistoryTable);
            record.Property(r => r.Purpose).HasMaxLength(50);
            record.Property(r => r.Channel).HasMaxLength(20);
            record.Property(r => r.Status).HasMaxLength(20);
            record.Property(r => r.Source).HasMaxLength(20);
            record.Property(r => r.Reason).HasMaxLength(ConsentRules.ReasonMaxLength);
            record.Property(r => r.RecordedBy).HasMaxLength(200);
            record.ComplexProperty(r => r.Evidence, evidence =>
            {
                evidence.Property(e => e.FormId).HasMaxLength(ConsentEvidence.FormIdMaxLength);
                evidence.Property(e => e.FormUrl).HasMaxLength(ConsentEvidence.FormUrlMaxLength);
                evidence.Property(e => e.IpAddress).HasMaxLength(ConsentEvidence.IpAddressMaxLength);
                evidence.Property(e => e.UserAgent).HasMaxLength(ConsentEvidence.UserAgentMaxLength);
                evidence.Property(e => e.Wording).HasMaxLength(ConsentEvidence.WordingMaxLength);
            });
            // A person's history, oldest first, keyset-paged.
            record.HasIndex(r => new { r.TenantId, r.PersonId, r.CreatedAt, r.Id });
        });
        return modelBuilder;
    }
}
