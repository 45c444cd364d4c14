using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Consents;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Persistence.Idempotency;
using CrmPlatform.Persistence.Mail;
using CrmPlatform.Service.Csat;
using CrmPlatform.Persistence.TeamDirectory;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.Service.CannedResponses;
using CrmPlatform.Service.Knowledge;
using CrmPlatform.Service.Routing;
using CrmPlatform.Service.Sla;
using CrmPlatform.Service.Sla.Calendars;
using CrmPlatform.Service.Sla.Clocks;
using CrmPlatform.Service.Sla.Entitlements;
using CrmPlatform.Service.Sla.Policies;
using CrmPlatform.Service.Mail.Inbound;
using CrmPlatform.Service.Tickets;
using CrmPlatform.Service.Tickets.Escalation;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Data;

public sealed class ServiceDbContext(DbContextOptions<ServiceDbContext> options, TenantContext tenant, TimeProvider clock)
    : TenantDbContext(options, tenant, clock), IContactDirectoryDbContext, IConsentReplicaDbContext, IIdempotencyDbContext, IEmailOutboxDbContext
{
    public DbSet<DirectoryContact> DirectoryContacts => Set<DirectoryContact>();
    public DbSet<ConsentReplica> ConsentReplicas => Set<ConsentReplica>();

    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    public DbSet<BusinessCalendar> BusinessCalendars => Set<BusinessCalendar>();
    public DbSet<SlaPolicy> SlaPolicies => Set<SlaPolicy>();
    public DbSet<ServiceContract> ServiceContracts => Set<ServiceContract>();
    public DbSet<TicketSla> TicketSlas => Set<TicketSla>();
    public DbSet<KnowledgeArticle> KnowledgeArticles => Set<KnowledgeArticle>();
    public DbSet<KnowledgeArticleRevision> KnowledgeArticleRevisions => Set<KnowledgeArticleRevision>();
    public DbSet<KnowledgeCategory> KnowledgeCategories => Set<KnowledgeCategory>();
    public DbSet<CannedResponse> CannedResponses => Set<CannedResponse>();
    public DbSet<Ticket> Tickets => Set<Ticket>();
    public DbSet<TicketMessage> TicketMessages => Set<TicketMessage>();
    public DbSet<TicketAttachment> TicketAttachments => Set<TicketAttachment>();
    public DbSet<SupportGroup> SupportGroups => Set<SupportGroup>();
    public DbSet<AgentProfile> AgentProfiles => Set<AgentProfile>();
    public DbSet<RoutingRule> RoutingRules => Set<RoutingRule>();
    public DbSet<TicketAssignment> TicketAssignments => Set<TicketAssignment>();
    public DbSet<TicketEscalation> SlaEscalations => Set<TicketEscalation>();
    public DbSet<OutgoingEmail> OutgoingEmails => Set<OutgoingEmail>();
    public DbSet<CsatSurvey> CsatSurveys => Set<CsatSurvey>();
    public DbSet<SupportAddress> SupportAddresses => Set<SupportAddress>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddIdempotencyRecords();
        modelBuilder.AddAuditLog();
        modelBuilder.AddTeamDirectory();
        modelBuilder.AddContactDirectory();
        modelBuilder.AddConsentReplica();
        modelBuilder.AddSla();
        modelBuilder.AddKnowledgeBase();
        modelBuilder.AddCannedResponses();
        modelBuilder.AddTickets();
        modelBuilder.AddRouting();
        modelBuilder.AddSlaEscalations();
        modelBuilder.AddEmailOutbox();
        modelBuilder.AddCsat();
        modelBuilder.AddSupportAddresses();
        base.OnModelCreating(modelBuilder);
    }
}

internal sealed class ServiceDbContextDesignFactory : DesignTimeFactory<ServiceDbContext>;
