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

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddContactDirectory();
        modelBuilder.AddConsentReplica();
        base.OnModelCreating(modelBuilder);
    }
}

internal sealed class MarketingDbContextDesignFactory : DesignTimeFactory<MarketingDbContext>;
