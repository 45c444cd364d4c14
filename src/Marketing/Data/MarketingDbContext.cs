using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
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

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the service.</summary>
internal sealed class MarketingDbContextDesignFactory : IDesignTimeDbContextFactory<MarketingDbContext>
{
    public MarketingDbContext CreateDbContext(string[] args) => new(
        new DbContextOptionsBuilder<MarketingDbContext>().UseNpgsql("Host=localhost").UseSnakeCaseNamingConvention().Options,
        new TenantContext(), TimeProvider.System);
}
