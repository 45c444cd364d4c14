using CrmPlatform.Persistence.Replicas;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Persistence.ContactDirectory;

public enum ContactKind
{
    Person,
    Organization,
}

/// <summary>
/// A subscriber's local copy of a person or organization owned by Contacts, kept from events so the service can
/// answer without calling Contacts.
/// </summary>
public sealed class DirectoryContact : ReplicaRow
{
    public ContactKind Kind { get; set; }
    public string DisplayName { get; set; } = "";
    public string? Email { get; set; }
    public Guid? OrganizationId { get; set; }
    /// <summary>The person restricted processing (GDPR Art. 18): no new uses of their data, no marketing.</summary>
    public bool ProcessingRestricted { get; set; }
    /// <summary>The person objected to direct marketing (GDPR Art. 21(2)).</summary>
    public bool ObjectsToDirectMarketing { get; set; }

    // What audiences are built from (Marketing's segments): kept here so any subscriber can select on them without
    // asking Contacts. Null in rows written before these were kept, until the contact's next change arrives.

    /// <summary>subscriber, lead, customer or former-customer.</summary>
    public string? LifecycleStage { get; set; }
    public string? Industry { get; set; }
    /// <summary>ISO 3166-1 alpha-2, upper case: of the first address that names a country.</summary>
    public string? Country { get; set; }
    /// <summary>Normalized (lower-case) tags.</summary>
    public List<string> Tags { get; set; } = [];
    /// <summary>The tenant's custom fields that have a value, as a JSON object by key (as Contacts' events carry them).</summary>
    public string? CustomFields { get; set; }
    /// <summary>Who the contact belongs to in Contacts (a user or API client id): a journey's task goes to them.</summary>
    public string? OwnerId { get; set; }
}

/// <summary>A DbContext that keeps the contact directory.</summary>
public interface IContactDirectoryDbContext
{
    DbSet<DirectoryContact> DirectoryContacts { get; }
}

public static class ContactDirectoryModel
{
    public static ModelBuilder AddContactDirectory(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<DirectoryContact>(contact =>
        {
            contact.ToTable("directory_contacts");
            contact.HasKey(c => c.Id);
            contact.HasIndex(c => c.TenantId);
            contact.Property(c => c.Id).ValueGeneratedNever();
            contact.Property(c => c.Kind).HasConversion<string>().HasMaxLength(20);
            contact.Property(c => c.DisplayName).HasMaxLength(300);
            contact.Property(c => c.Email).HasMaxLength(320);
            contact.Property(c => c.Version).IsConcurrencyToken();
            contact.Property(c => c.LifecycleStage).HasMaxLength(40);
            contact.Property(c => c.Industry).HasMaxLength(200);
            contact.Property(c => c.Country).HasMaxLength(2);
            contact.Property(c => c.Tags).HasDefaultValueSql("'{}'::text[]");
            contact.Property(c => c.CustomFields).HasColumnType("jsonb");
            contact.Property(c => c.OwnerId).HasMaxLength(200);
        });
        return modelBuilder;
    }
}
