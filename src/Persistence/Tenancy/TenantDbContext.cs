using System.Linq.Expressions;
using CrmPlatform.Contracts;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Inbox;
using CrmPlatform.Persistence.Outbox;
using CrmPlatform.Persistence.TeamDirectory;
using Microsoft.EntityFrameworkCore;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Persistence.Tenancy;

/// <summary>The base of every service's DbContext: tenant isolation, stamping, and the outbox and inbox tables.</summary>
public abstract class TenantDbContext(DbContextOptions options, TenantContext tenant, TimeProvider clock) : DbContext(options)
{
    public Guid CurrentTenantId => tenant.TenantId;

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();

    /// <summary>Queues an event in the outbox; it commits, or not, with the changes of the same SaveChanges.</summary>
    public void AddEvent(IIntegrationEvent integrationEvent) => OutboxMessages.Add(OutboxMessage.From(integrationEvent));

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfiguration(new OutboxMessageConfiguration());
        modelBuilder.ApplyConfiguration(new InboxMessageConfiguration());

        var scoped = modelBuilder.Model.FindEntityType(typeof(DirectoryTeam)) is not null;
        foreach (var entityType in modelBuilder.Model.GetEntityTypes().Where(t => typeof(ITenantOwned).IsAssignableFrom(t.ClrType)))
        {
            var filter = scoped && typeof(AuditedEntity).IsAssignableFrom(entityType.ClrType)
                ? (LambdaExpression)ScopedFilterMethod.MakeGenericMethod(entityType.ClrType).Invoke(this, [])!
                : TenantFilter(entityType.ClrType);
            modelBuilder.Entity(entityType.ClrType).HasQueryFilter(filter);
        }

        foreach (var entityType in modelBuilder.Model.GetEntityTypes().Where(t => typeof(Entity).IsAssignableFrom(t.ClrType)))
        {
            modelBuilder.Entity(entityType.ClrType).Property(nameof(Entity.Version)).IsConcurrencyToken();
        }
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        Stamp();
        WriteAuditEntries();
        return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        Stamp();
        WriteAuditEntries();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    /// <summary>Who acts, as records and audit entries name them: the token's subject, or <c>system</c> for the platform's own work.</summary>
    public string Actor => tenant.ActorId ?? "system";

    /// <summary>Only in SaveChanges (Stamp may run twice for one save): one entry per write, in the write's transaction.</summary>
    private void WriteAuditEntries()
    {
        if (Model.FindEntityType(typeof(AuditEntry)) is null)
        {
            return;
        }
        Set<AuditEntry>().AddRange(AuditLog.EntriesFor(ChangeTracker, Actor, clock.GetUtcNow().UtcDateTime));
    }

    /// <summary>
    /// Stamps before saving so handlers can build their events from the entity afterwards; call it yourself when an
    /// event must carry the version about to be written.
    /// </summary>
    public void Stamp()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var entry in ChangeTracker.Entries<ITenantOwned>())
        {
            if (entry.State == EntityState.Added && entry.Entity.TenantId == Guid.Empty)
            {
                entry.Entity.TenantId = tenant.IsSet
                    ? CurrentTenantId
                    : throw new InvalidOperationException($"A {entry.Entity.GetType().Name} is being written without a tenant.");
            }
        }

        foreach (var entry in ChangeTracker.Entries<IAudited>())
        {
            if (entry.State == EntityState.Added)
            {
                entry.Entity.CreatedBy ??= Actor;
                entry.Entity.UpdatedBy ??= Actor;
                if (entry.Entity is AuditedEntity owned)
                {
                    owned.OwnerId ??= Actor;
                }
            }
            else if (entry.State == EntityState.Modified)
            {
                entry.Entity.UpdatedBy = Actor;
            }
        }

        foreach (var entry in ChangeTracker.Entries<Entity>())
        {
            switch (entry.State)
            {
                case EntityState.Added when entry.Entity.Version == 0:
                    entry.Entity.CreatedAt = now;
                    entry.Entity.UpdatedAt = now;
                    entry.Entity.Version = 1;
                    break;
                case EntityState.Modified when !entry.Property(e => e.Version).IsModified:
                    entry.Entity.UpdatedAt = now;
                    entry.Entity.Version = entry.Property(e => e.Version).OriginalValue + 1;
                    break;
                case EntityState.Deleted:
                    entry.Entity.Version = entry.Property(e => e.Version).OriginalValue + 1;
                    break;
            }
        }
    }

    public string? CurrentActorId => tenant.ActorId;
    public bool SeesWholeTenant => tenant.SeesWholeTenant;

    private static readonly System.Reflection.MethodInfo ScopedFilterMethod =
        typeof(TenantDbContext).GetMethod(nameof(ScopedFilter), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;

    /// <summary>
    /// Record scopes on top of the tenant: the sales roles see what they own and what members of their teams own
    /// (from the team directory); everyone else sees the tenant. Anything out of scope answers 404, like another tenant's.
    /// The teammates are one uncorrelated subquery, which PostgreSQL runs once per query rather than once per row (an
    /// aggregate over thousands of a rep's rows, the pipeline board, depends on it).
    /// </summary>
    private Expression<Func<TEntity, bool>> ScopedFilter<TEntity>() where TEntity : AuditedEntity =>
        row => row.TenantId == CurrentTenantId
            && (SeesWholeTenant
                || row.OwnerId == CurrentActorId
                || Set<DirectoryTeam>().Where(team => !team.IsDeleted && team.MemberIds.Contains(CurrentActorId!))
                    .SelectMany(team => team.MemberIds).Contains(row.OwnerId!));

    private LambdaExpression TenantFilter(Type clrType)
    {
        var row = Expression.Parameter(clrType, "row");
        var rowTenant = Expression.Property(row, nameof(ITenantOwned.TenantId));
        var currentTenant = Expression.Property(Expression.Constant(this), nameof(CurrentTenantId));
        return Expression.Lambda(Expression.Equal(rowTenant, currentTenant), row);
    }
}
