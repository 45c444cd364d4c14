using CrmPlatform.Identity.Model;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Idempotency;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Identity.Data;

public sealed class IdentityDbContext(DbContextOptions<IdentityDbContext> options, TenantContext tenant, TimeProvider clock)
    : TenantDbContext(options, tenant, clock), IIdempotencyDbContext
{
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<ApiClient> ApiClients => Set<ApiClient>();
    public DbSet<User> Users => Set<User>();
    public DbSet<Team> Teams => Set<Team>();
    public DbSet<TeamMembership> TeamMemberships => Set<TeamMembership>();
    public DbSet<AuthorizationCode> AuthorizationCodes => Set<AuthorizationCode>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddIdempotencyRecords();
        modelBuilder.AddAuditLog();
        modelBuilder.Entity<Tenant>(tenant =>
        {
            tenant.Property(t => t.Name).HasMaxLength(Tenant.NameMaxLength);
            tenant.HasIndex(t => new { t.CreatedAt, t.Id });
        });
        modelBuilder.Entity<ApiClient>(client =>
        {
            client.Property(c => c.ClientId).HasMaxLength(ApiClient.ClientIdMaxLength);
            client.Property(c => c.Name).HasMaxLength(ApiClient.NameMaxLength);
            client.Property(c => c.SecretHash).HasMaxLength(64);
            // Client ids are global: the token endpoint finds the client, and through it the tenant.
            client.HasIndex(c => c.ClientId).IsUnique();
            client.HasIndex(c => new { c.TenantId, c.CreatedAt, c.Id });
            client.HasOne<Tenant>().WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<User>(user =>
        {
            user.Property(u => u.Email).HasMaxLength(User.EmailMaxLength);
            user.Property(u => u.NormalizedEmail).HasMaxLength(User.EmailMaxLength);
            user.Property(u => u.DisplayName).HasMaxLength(User.DisplayNameMaxLength);
            user.Property(u => u.TotpSecret).HasMaxLength(64);
            user.HasIndex(u => u.NormalizedEmail).IsUnique();
            user.HasIndex(u => new { u.TenantId, u.CreatedAt, u.Id });
            user.HasOne<Tenant>().WithMany().HasForeignKey(u => u.TenantId).OnDelete(DeleteBehavior.Restrict);
            user.HasMany(u => u.Memberships).WithOne().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Team>(team =>
        {
            team.Property(t => t.Name).HasMaxLength(Team.NameMaxLength);
            team.HasIndex(t => new { t.TenantId, t.CreatedAt, t.Id });
            team.HasOne<Tenant>().WithMany().HasForeignKey(t => t.TenantId).OnDelete(DeleteBehavior.Restrict);
            team.HasMany(t => t.Members).WithOne().HasForeignKey(m => m.TeamId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<TeamMembership>(membership =>
        {
            membership.HasKey(m => new { m.TeamId, m.UserId });
            membership.HasIndex(m => m.UserId);
        });
        modelBuilder.Entity<AuthorizationCode>(code =>
        {
            code.HasIndex(c => c.CodeHash).IsUnique();
            code.HasIndex(c => c.ExpiresAt);
            code.Property(c => c.CodeHash).HasMaxLength(64);
            code.Property(c => c.ClientId).HasMaxLength(ApiClient.ClientIdMaxLength);
            code.Property(c => c.RedirectUri).HasMaxLength(ApiClient.RedirectUriMaxLength);
            code.Property(c => c.CodeChallenge).HasMaxLength(128);
            code.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<RefreshToken>(token =>
        {
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.HasIndex(t => t.FamilyId);
            token.HasIndex(t => t.ExpiresAt);
            token.Property(t => t.TokenHash).HasMaxLength(64);
            token.Property(t => t.ClientId).HasMaxLength(ApiClient.ClientIdMaxLength);
            token.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<SigningKey>(key =>
        {
            key.HasKey(k => k.KeyId);
            key.Property(k => k.KeyId).HasMaxLength(64);
        });
        base.OnModelCreating(modelBuilder);
    }
}

internal sealed class IdentityDbContextDesignFactory : DesignTimeFactory<IdentityDbContext>;
