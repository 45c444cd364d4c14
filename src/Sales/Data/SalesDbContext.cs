using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Consents;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Idempotency;
using CrmPlatform.Persistence.TeamDirectory;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.Sales.Activities;
using CrmPlatform.Sales.Assignment;
using CrmPlatform.Sales.Catalog;
using CrmPlatform.Sales.Decisions;
using CrmPlatform.Sales.Forecast;
using CrmPlatform.Sales.Leads;
using CrmPlatform.Sales.Leads.Imports;
using CrmPlatform.Sales.Leads.Conversion;
using CrmPlatform.Sales.Merges;
using CrmPlatform.Sales.Model;
using CrmPlatform.Sales.Quotes;
using CrmPlatform.Sales.Pipelines;
using CrmPlatform.Sales.Scoring;
using Microsoft.EntityFrameworkCore;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Sales.Data;

public sealed class SalesDbContext(DbContextOptions<SalesDbContext> options, TenantContext tenant, TimeProvider clock)
    : TenantDbContext(options, tenant, clock), IContactDirectoryDbContext, IConsentReplicaDbContext, IIdempotencyDbContext
{
    public DbSet<Opportunity> Opportunities => Set<Opportunity>();
    public DbSet<Pipeline> Pipelines => Set<Pipeline>();
    public DbSet<OpportunityStageChange> OpportunityStageChanges => Set<OpportunityStageChange>();
    public DbSet<DirectoryContact> DirectoryContacts => Set<DirectoryContact>();
    public DbSet<ConsentReplica> ConsentReplicas => Set<ConsentReplica>();
    public DbSet<ContactMergeMove> ContactMergeMoves => Set<ContactMergeMove>();
    public DbSet<Product> Products => Set<Product>();
    public DbSet<PriceBook> PriceBooks => Set<PriceBook>();
    public DbSet<Quote> Quotes => Set<Quote>();
    public DbSet<Activity> Activities => Set<Activity>();
    public DbSet<SalesTask> Tasks => Set<SalesTask>();
    public DbSet<Lead> Leads => Set<Lead>();
    public DbSet<LeadImportJob> LeadImportJobs => Set<LeadImportJob>();
    public DbSet<LeadImportRow> LeadImportRows => Set<LeadImportRow>();
    public DbSet<AssignmentRule> AssignmentRules => Set<AssignmentRule>();
    public DbSet<LeadAssignment> LeadAssignments => Set<LeadAssignment>();
    public DbSet<ScoringSettings> ScoringSettings => Set<ScoringSettings>();
    public DbSet<LeadEngagement> LeadEngagements => Set<LeadEngagement>();
    public DbSet<LeadScoringModel> LeadScoringModels => Set<LeadScoringModel>();
    public DbSet<ScoringSchedule> ScoringSchedules => Set<ScoringSchedule>();
    public DbSet<BuyingCentreMember> BuyingCentreMembers => Set<BuyingCentreMember>();
    public DbSet<DecisionCriterion> DecisionCriteria => Set<DecisionCriterion>();
    public DbSet<DealRisk> DealRisks => Set<DealRisk>();
    public DbSet<CustomerCommitment> CustomerCommitments => Set<CustomerCommitment>();
    public DbSet<DealDecision> DealDecisions => Set<DealDecision>();
    public DbSet<ForecastCategoryOverride> ForecastCategoryOverrides => Set<ForecastCategoryOverride>();
    public DbSet<CloseDateChange> CloseDateChanges => Set<CloseDateChange>();
    public DbSet<Quota> Quotas => Set<Quota>();
    public DbSet<ForecastSnapshot> ForecastSnapshots => Set<ForecastSnapshot>();
    public DbSet<ForecastSnapshotLine> ForecastSnapshotLines => Set<ForecastSnapshotLine>();

    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddIdempotencyRecords();
        modelBuilder.AddAuditLog();
        modelBuilder.AddTeamDirectory();
        modelBuilder.AddContactDirectory();
        modelBuilder.AddConsentReplica();
        modelBuilder.AddContactMergeMoves();
        modelBuilder.AddCatalog();
        modelBuilder.AddQuotes();
        modelBuilder.AddPipelines();
        modelBuilder.AddActivities();
        modelBuilder.AddLeads();
        modelBuilder.AddLeadImports();
        modelBuilder.AddLeadConversions();
        modelBuilder.AddAssignmentRules();
        modelBuilder.AddLeadScoring();
        modelBuilder.AddDecisions();
        modelBuilder.AddForecast();
        modelBuilder.Entity<Opportunity>(opportunity =>
        {
            opportunity.Property(o => o.Name).HasMaxLength(Opportunity.NameMaxLength);
            opportunity.Property(o => o.Amount).HasPrecision(18, 2);
            opportunity.Property(o => o.Currency).HasMaxLength(3).IsFixedLength();
            opportunity.Property(o => o.Stage).HasMaxLength(40);
            opportunity.HasIndex(o => new { o.TenantId, o.CreatedAt, o.Id });
            opportunity.HasIndex(o => o.CustomerId);
        });
        base.OnModelCreating(modelBuilder);
    }
}

internal sealed class SalesDbContextDesignFactory : DesignTimeFactory<SalesDbContext>;
