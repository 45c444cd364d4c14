using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Mail.Inbound;

/// <summary>
/// An address the tenant's customers write to (help@acme.example): mail for it becomes the tenant's tickets, optionally
/// in a group and a language. An address belongs to one tenant in the whole platform: the SMTP listener learns the
/// tenant from the recipient alone.
/// </summary>
public sealed class SupportAddress : UnownedAuditedEntity
{
    public const int AddressMaxLength = 320;

    /// <summary>Lower case, trimmed.</summary>
    public string Address { get; set; } = "";
    public string? DisplayName { get; set; }
    public Guid? GroupId { get; set; }
    public string? Language { get; set; }
}

public static class SupportAddressesModel
{
    public static ModelBuilder AddSupportAddresses(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<SupportAddress>(address =>
        {
            address.ToTable("support_addresses");
            address.Property(a => a.Address).HasMaxLength(SupportAddress.AddressMaxLength);
            address.Property(a => a.DisplayName).HasMaxLength(200);
            address.Property(a => a.Language).HasMaxLength(35);
            // Unique across tenants, not per tenant: the recipient alone must name the tenant.
            address.HasIndex(a => a.Address).IsUnique();
            address.HasIndex(a => new { a.TenantId, a.CreatedAt, a.Id });
        });
        return modelBuilder;
    }
}
