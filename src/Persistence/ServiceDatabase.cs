using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Npgsql;

namespace CrmPlatform.Persistence;

/// <summary>How every service talks to its PostgreSQL database; the running service and <c>dotnet ef</c> alike.</summary>
public static class ServiceDatabase
{
    /// <summary>
    /// PostgreSQL's JIT is off for every service's sessions. PostgreSQL compiles a plan when its estimated cost passes
    /// <c>jit_above_cost</c>, and our statements' estimates are far from what they do (a <c>jsonb_to_recordset</c>
    /// of probes is 100 rows to the planner, a containment lookup thousands): one person's duplicate probe took
    /// 0.99 s, 0.89 s of it compiling, where it runs in milliseconds. A statement that gains from JIT can ask for it with
    /// <c>SET LOCAL jit = on</c>.
    /// </summary>
    public static DbContextOptionsBuilder UseServiceDatabase(this DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(WithoutJit(connectionString)).UseSnakeCaseNamingConvention();

    private static string WithoutJit(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = string.IsNullOrEmpty(builder.Options) ? "-c jit=off" : $"{builder.Options} -c jit=off";
        return builder.ConnectionString;
    }
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
