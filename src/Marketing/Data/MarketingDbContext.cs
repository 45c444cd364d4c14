using CrmPlatform.Marketing.Campaigns;
using CrmPlatform.Marketing.Attribution;
using CrmPlatform.Marketing.Forms;
using CrmPlatform.Marketing.Journeys;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Consents;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Marketing.Segments;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Marketing.Data;

public sealed class MarketingDbContext(DbContextOptions<MarketingDbContext> options, TenantContext tenant, TimeProvider clock)
    : TenantDbContext(options, tenant, clock), IContactDirectoryDbContext, IConsentReplicaDbContext
{
    public DbSet<DirectoryContact> DirectoryContacts => Set<DirectoryContact>();
    public DbSet<ConsentReplica> ConsentReplicas => Set<ConsentReplica>();
    public DbSet<Segment> Segments => Set<Segment>();
    public DbSet<SegmentMembership> SegmentMemberships => Set<SegmentMembership>();
    public DbSet<ContactBehaviour> ContactBehaviours => Set<ContactBehaviour>();
    public DbSet<WebForm> WebForms => Set<WebForm>();
    public DbSet<FormSubmissionRecord> FormSubmissions => Set<FormSubmissionRecord>();
    public DbSet<EmailTemplate> EmailTemplates => Set<EmailTemplate>();
    public DbSet<Campaign> Campaigns => Set<Campaign>();
    public DbSet<CampaignRecipient> CampaignRecipients => Set<CampaignRecipient>();
    public DbSet<CampaignEngagement> CampaignEngagements => Set<CampaignEngagement>();
    public DbSet<Suppression> Suppressions => Set<Suppression>();
    public DbSet<RecipientProfile> RecipientProfiles => Set<RecipientProfile>();
    public DbSet<Journey> Journeys => Set<Journey>();
    public DbSet<JourneyVersion> JourneyVersions => Set<JourneyVersion>();
    public DbSet<JourneyEnrolment> JourneyEnrolments => Set<JourneyEnrolment>();
    public DbSet<JourneyStepExecution> JourneyStepExecutions => Set<JourneyStepExecution>();
    public DbSet<Touchpoint> Touchpoints => Set<Touchpoint>();
    public DbSet<AttributionCredit> AttributionCredits => Set<AttributionCredit>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddContactDirectory();
        modelBuilder.AddConsentReplica();
        modelBuilder.AddSegments();
        modelBuilder.AddAuditLog();
        modelBuilder.AddWebForms();
        modelBuilder.AddCampaigns();
        modelBuilder.AddJourneys();
        modelBuilder.AddAttribution();
        base.OnModelCreating(modelBuilder);
    }
}

internal sealed class MarketingDbContextDesignFactory : DesignTimeFactory<MarketingDbContext>;
