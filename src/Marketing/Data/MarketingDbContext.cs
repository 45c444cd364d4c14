using CrmPlatform.Persistence;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Marketing.Data;

public sealed class MarketingDbContext(DbContextOptions<MarketingDbContext> options, TenantContext tenant, TimeProvider clock)
    : TenantDbContext(options, tenant, clock), IContactDirectoryDbContext
{
    public DbSet<DirectoryContact> DirectoryContacts => Set<DirectoryContact>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddContactDirectory();
        base.OnModelCreating(modelBuilder);
    }
}

internal sealed class MarketingDbContextDesignFactory : DesignTimeFactory<MarketingDbContext>;
