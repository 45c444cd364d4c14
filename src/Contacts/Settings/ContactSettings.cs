using CrmPlatform.Contacts.Data;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Settings;

/// <summary>
/// A tenant's defaults for contact data, one row per tenant (none until an admin sets one). Unset means no
/// assumption: an address without a country is kept without one, and a phone number without a country code needs
/// the record's own country or <c>phoneRegion</c>. The platform does not guess a country for a tenant that did not
/// choose one: its customers are not all in one place.
/// </summary>
public sealed class ContactSettings : UnownedAuditedEntity
{
    /// <summary>ISO 3166-1 alpha-2: given to addresses without a country, and the region of phone numbers without a country code.</summary>
    public string? DefaultCountry { get; set; }

    /// <summary>A BCP 47 tag (<c>de-DE</c>): how the tenant's users write numbers and dates; kept for clients, not applied to records.</summary>
    public string? DefaultLocale { get; set; }

    public static async Task<string?> DefaultCountryAsync(ContactsDbContext db, CancellationToken cancellationToken) =>
        await db.Set<ContactSettings>().AsNoTracking().Select(s => s.DefaultCountry).SingleOrDefaultAsync(cancellationToken);
}

internal static class ContactSettingsModel
{
    public static ModelBuilder AddContactSettings(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ContactSettings>(settings =>
        {
            settings.ToTable("contact_settings");
            settings.Property(s => s.DefaultCountry).HasMaxLength(2);
            settings.Property(s => s.DefaultLocale).HasMaxLength(Model.LanguageTag.MaxLength);
            settings.HasIndex(s => s.TenantId).IsUnique();
        });
        return modelBuilder;
    }
}
