using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CrmPlatform.Persistence;

/// <summary>How every service talks to its PostgreSQL database; the running service and <c>dotnet ef</c> alike.</summary>
public static class ServiceDatabase
{
    public static DbContextOptionsBuilder UseServiceDatabase(this DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString).UseSnakeCaseNamingConvention();
}

/// <summary>Lets <c>dotnet ef migrations add</c> build a service's model without starting the service.</summary>
public abstract class DesignTimeFactory<TDbContext> : IDesignTimeDbContextFactory<TDbContext> where TDbContext : TenantDbContext
{
    public TDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<TDbContext>().UseServiceDatabase("Host=localhost").Options;
        return (TDbContext)Activator.CreateInstance(typeof(TDbContext), options, new TenantContext(), TimeProvider.System)!;
    }
}
