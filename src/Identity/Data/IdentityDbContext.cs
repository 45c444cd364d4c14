using CrmPlatform.Identity.Model;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CrmPlatform.Identity.Data;

public sealed class IdentityDbContext(DbContextOptions<IdentityDbContext> options, TenantContext tenant, TimeProvider clock)
    : TenantDbContext(options, tenant, clock)
{
    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<ApiClient> ApiClients => Set<ApiClient>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Tenant>(tenant => tenant.Property(t => t.Name).HasMaxLength(Tenant.NameMaxLength));
        modelBuilder.Entity<ApiClient>(client =>
        {
            client.Property(c => c.ClientId).HasMaxLength(ApiClient.ClientIdMaxLength);
            client.Property(c => c.Name).HasMaxLength(200);
            client.Property(c => c.SecretHash).HasMaxLength(64);
            // Client ids are global: the token endpoint finds the client, and through it the tenant.
            client.HasIndex(c => c.ClientId).IsUnique();
            client.HasIndex(c => new { c.TenantId, c.CreatedAt, c.Id });
            client.HasOne<Tenant>().WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<SigningKey>(key =>
        {
            key.HasKey(k => k.KeyId);
            key.Property(k => k.KeyId).HasMaxLength(64);
        });
        base.OnModelCreating(modelBuilder);
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the service.</summary>
internal sealed class IdentityDbContextDesignFactory : IDesignTimeDbContextFactory<IdentityDbContext>
{
    public IdentityDbContext CreateDbContext(string[] args) => new(
        new DbContextOptionsBuilder<IdentityDbContext>().UseNpgsql("Host=localhost").UseSnakeCaseNamingConvention().Options,
        new TenantContext(), TimeProvider.System);
}
