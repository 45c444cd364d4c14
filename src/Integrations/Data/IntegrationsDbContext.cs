using CrmPlatform.Integrations.Delivery;
using CrmPlatform.Integrations.Events;
using CrmPlatform.Integrations.Subscriptions;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Idempotency;
using CrmPlatform.Persistence.Mail;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Integrations.Data;

public sealed class IntegrationsDbContext(DbContextOptions<IntegrationsDbContext> options, TenantContext tenant, TimeProvider clock)
    : TenantDbContext(options, tenant, clock), IEmailOutboxDbContext, IIdempotencyDbContext
{
    public DbSet<EventLogEntry> EventLog => Set<EventLogEntry>();
    public DbSet<ErasedPerson> ErasedPeople => Set<ErasedPerson>();
    public DbSet<TenantAdmin> TenantAdmins => Set<TenantAdmin>();
    public DbSet<Subscription> Subscriptions => Set<Subscription>();
    public DbSet<WebhookDelivery> Deliveries => Set<WebhookDelivery>();
    public DbSet<DeliveryAttempt> DeliveryAttempts => Set<DeliveryAttempt>();
    public DbSet<OutgoingEmail> OutgoingEmails => Set<OutgoingEmail>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddEventLog();
        modelBuilder.AddSubscriptions();
        modelBuilder.AddDeliveries();
        modelBuilder.AddEmailOutbox();
        modelBuilder.AddIdempotencyRecords();
        modelBuilder.AddAuditLog();
        base.OnModelCreating(modelBuilder);
    }
}

internal sealed class IntegrationsDbContextDesignFactory : DesignTimeFactory<IntegrationsDbContext>;
