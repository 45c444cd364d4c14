using CrmPlatform.Persistence;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Service.Data;

public sealed class ServiceDbContext(DbContextOptions<ServiceDbContext> options, TenantContext tenant, TimeProvider clock)
    : TenantDbContext(options, tenant, clock), IContactDirectoryDbContext
{
    public DbSet<DirectoryContact> DirectoryContacts => Set<DirectoryContact>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddContactDirectory();
        base.OnModelCreating(modelBuilder);
    }
}

internal sealed class ServiceDbContextDesignFactory : DesignTimeFactory<ServiceDbContext>;
