using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Leads;

public static class LeadsModel
{
    public static ModelBuilder AddLeads(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Lead>(lead =>
        {
            lead.ToTable("leads");
            lead.Property(l => l.FirstName).HasMaxLength(Lead.NameMaxLength);
            lead.Property(l => l.LastName).HasMaxLength(Lead.NameMaxLength);
            lead.Property(l => l.Email).HasMaxLength(254);
            lead.Property(l => l.Phone).HasMaxLength(40);
            lead.Property(l => l.JobTitle).HasMaxLength(Lead.TextMaxLength);
            lead.Property(l => l.Company).HasMaxLength(Lead.TextMaxLength);
            lead.Property(l => l.CompanyDomain).HasMaxLength(Lead.TextMaxLength);
            lead.Property(l => l.Industry).HasMaxLength(Lead.TextMaxLength);
            lead.Property(l => l.Country).HasMaxLength(2).IsFixedLength();
            lead.Property(l => l.Region).HasMaxLength(Lead.TextMaxLength);
            lead.Property(l => l.PostalCode).HasMaxLength(20);
            lead.Property(l => l.City).HasMaxLength(Lead.TextMaxLength);
            lead.Property(l => l.Source).HasMaxLength(20);
            lead.Property(l => l.SourceReference).HasMaxLength(Lead.TextMaxLength);
            lead.Property(l => l.Description).HasMaxLength(Lead.DescriptionMaxLength);
            lead.Property(l => l.Status).HasMaxLength(20);
            lead.Property(l => l.DisqualificationReason).HasMaxLength(Lead.TextMaxLength);
            lead.HasIndex(l => new { l.TenantId, l.CreatedAt, l.Id });
            lead.HasIndex(l => new { l.TenantId, l.Status });
            lead.HasIndex(l => new { l.TenantId, l.Email });
            lead.HasIndex(l => l.EmailPersonId);
            // Capturing the same submission or import row twice finds the first lead instead of making a second.
            lead.HasIndex(l => new { l.TenantId, l.Source, l.SourceReference }).IsUnique().HasFilter("source_reference IS NOT NULL");
        });
        return modelBuilder;
    }
}
