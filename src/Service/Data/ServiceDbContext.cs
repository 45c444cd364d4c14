using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
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

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the service.</summary>
internal sealed class ServiceDbContextDesignFactory : IDesignTimeDbContextFactory<ServiceDbContext>
{
    public ServiceDbContext CreateDbContext(string[] args) => new(
        new DbContextOptionsBuilder<ServiceDbContext>().UseNpgsql("Host=localhost").UseSnakeCaseNamingConvention().Options,
        new TenantContext(), TimeProvider.System);
}
