using CrmPlatform.Marketing.Forms;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Consents;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Marketing.Data;

public sealed class MarketingDbContext(DbContextOptions<MarketingDbContext> options, TenantContext tenant, TimeProvider clock)
    : TenantDbContext(options, tenant, clock), IContactDirectoryDbContext, IConsentReplicaDbContext
{
    public DbSet<DirectoryContact> DirectoryContacts => Set<DirectoryContact>();
    public DbSet<ConsentReplica> ConsentReplicas => Set<ConsentReplica>();
    public DbSet<WebForm> WebForms => Set<WebForm>();
    public DbSet<FormSubmissionRecord> FormSubmissions => Set<FormSubmissionRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddContactDirectory();
        modelBuilder.AddConsentReplica();
        modelBuilder.AddWebForms();
        base.OnModelCreating(modelBuilder);
    }
}

internal sealed class MarketingDbContextDesignFactory : DesignTimeFactory<MarketingDbContext>;
