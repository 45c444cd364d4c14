using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Replicas;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Marketing.Campaigns;

public static class CampaignStatuses
{
    public const string Draft = "draft";
    public const string Scheduled = "scheduled";
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Draft, Scheduled, Sending, Sent, Cancelled];
}

/// <summary>An email to a segment's members (as they are when sending starts), for one consent purpose.</summary>
public sealed class Campaign : UnownedAuditedEntity
{
    public const int NameMaxLength = 200;

    public string Name { get; set; } = "";
    public Guid TemplateId { get; set; }
    public Guid SegmentId { get; set; }
    /// <summary>The consent purpose (<c>newsletter</c>, …) each recipient must have granted on the email channel.</summary>
    public string Purpose { get; set; } = "";
    public string From { get; set; } = "";
    public string Status { get; set; } = CampaignStatuses.Draft;
    /// <summary>Null: the platform's default rate.</summary>
    public int? MessagesPerSecond { get; set; }
    /// <summary>When sending starts (UTC); set when the campaign is scheduled or sent now.</summary>
    public DateTime? ScheduledAt { get; set; }
    /// <summary>The IANA zone a local schedule was given in (for showing it back); null for a per-recipient one.</summary>
    public string? TimeZone { get; set; }
    /// <summary>How <see cref="LocalTime"/> is read (<see cref="TimeZoneModes"/>); null when sent now or at an instant.</summary>
    public string? TimeZoneMode { get; set; }
    /// <summary>The wall-clock time asked for; with <see cref="TimeZoneModes.Recipient"/>, each recipient's is worked out when sending starts.</summary>
    public DateTime? LocalTime { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }

    // A/B subject test: empty for none. The test share of the recipients is split evenly over the subjects; after the
    // wait, the subject with the higher unique open (or click) rate goes to the rest.

    /// <summary>Liquid subjects that replace the template's (in every language) for the test.</summary>
    public IReadOnlyList<string> TestSubjects { get; set; } = [];
    /// <summary>Percent of the recipients in the test (1–50).</summary>
    public int? TestPercent { get; set; }
    public int? TestWaitSeconds { get; set; }
    /// <summary><c>opens</c> or <c>clicks</c>: what decides the winner.</summary>
    public string? TestMetric { get; set; }
    /// <summary>When the winner is chosen: the wait after the test's last recipient was done.</summary>
    public DateTime? TestEndsAt { get; set; }
    public int? WinnerVariant { get; set; }

    /// <summary>
    /// Set for a journey's automated campaign (one per send-email step): it has no segment, gains recipients one at a
    /// time as people reach the step, and stays sending (never finishes) so the sender keeps picking them up.
    /// </summary>
    public Guid? JourneyId { get; set; }

    public bool HasTest => TestSubjects.Count > 0;
}

public static class TestMetrics
{
    public const string Opens = "opens";
    public const string Clicks = "clicks";

    public static readonly IReadOnlyList<string> All = [Opens, Clicks];
}

public static class RecipientStatuses
{
    /// <summary>Waiting to be decided and sent.</summary>
    public const string Pending = "pending";
    /// <summary>Not sent: the consent gate said no (<see cref="CampaignRecipient.SkipReason"/>).</summary>
    public const string Skipped = "skipped";
    /// <summary>Accepted by the SMTP server (delivered, as far as we can know).</summary>
    public const string Sent = "sent";
    /// <summary>
    /// Not delivered, for good: the SMTP server refused the recipient (a hard bounce, or a soft one on every try; both
    /// set <see cref="CampaignRecipient.BouncedAt"/>) or the message did not render.
    /// </summary>
    public const string Failed = "failed";
    /// <summary>Waiting for the A/B test's winner (then pending, with the winning subject).</summary>
    public const string Held = "held";
}

/// <summary>Why a recipient was not sent the campaign.</summary>
public static class SkipReasons
{
    public const string NoEmail = "no-email";
    public const string DoNotEmail = "do-not-email";
    public const string Erased = "erased";
    public const string Deleted = "deleted";
    public const string Suppressed = "suppressed";
    /// <summary>The gate itself failed for this recipient (fail closed).</summary>
    public const string GateError = "gate-error";
}

/// <summary>
/// One person of one campaign, written when sending starts (unique per campaign and person), so the audience is fixed
/// and the send resumable: a row is sent once its SMTP server accepted it, and only then marked.
/// </summary>
public sealed class CampaignRecipient : ITenantOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid CampaignId { get; init; }
    public Guid PersonId { get; init; }
    public string? Email { get; set; }
    public string Status { get; set; } = RecipientStatuses.Pending;
    public string? SkipReason { get; set; }
    /// <summary>A sender holds the row until then (a crashed sender's rows come back after it).</summary>
    public DateTime? ClaimedUntil { get; set; }
    /// <summary>Recorded before sending, the same on a resend, so a duplicate is recognisable.</summary>
    public string? MessageId { get; set; }
    /// <summary>Not sent before this instant (the recipient's local time, or a soft bounce's retry); null: at once.</summary>
    public DateTime? DueAt { get; set; }
    /// <summary>Tries the SMTP server refused for now (4xx); at the limit the recipient counts as bounced.</summary>
    public int Attempts { get; set; }
    /// <summary>The A/B subject variant (0-based) this recipient gets; null without a test.</summary>
    public int? Variant { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime? SentAt { get; set; }
    public string? Error { get; set; }
    public DateTime? BouncedAt { get; set; }
    public DateTime? FirstOpenedAt { get; set; }
    public DateTime? FirstClickedAt { get; set; }
    public DateTime? UnsubscribedAt { get; set; }
    /// <summary>When the person first reported the email as spam (an abuse report from their mailbox provider).</summary>
    public DateTime? ComplainedAt { get; set; }
    /// <summary>The journey stay that queued this email (a journey campaign may address a person once per stay); null for a segment campaign.</summary>
    public Guid? EnrolmentId { get; init; }
}

/// <summary>An open or click of a campaign email, each one (unique counts come from the recipient's first).</summary>
public sealed class CampaignEngagement : ITenantOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid CampaignId { get; init; }
    public Guid RecipientId { get; init; }
    public string Kind { get; init; } = "";
    public string? Url { get; init; }
    public DateTime OccurredAt { get; init; }
}

public static class EngagementKinds
{
    public const string Open = "open";
    public const string Click = "click";
}

public static class SuppressionReasons
{
    public const string Unsubscribe = "unsubscribe";
    public const string HardBounce = "hard-bounce";
    public const string Complaint = "complaint";
    public const string Manual = "manual";

    public static readonly IReadOnlyList<string> All = [Unsubscribe, HardBounce, Complaint, Manual];
}

/// <summary>An address no campaign may send to, whatever the consent says (one per tenant and address).</summary>
public sealed class Suppression : ITenantOwned, IKeysetOrdered
{
    public const int EmailMaxLength = 320;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    /// <summary>Lower case, trimmed.</summary>
    public string Email { get; init; } = "";
    public string Reason { get; set; } = "";
    public Guid? CampaignId { get; set; }
    public string? Note { get; set; }
    public DateTime CreatedAt { get; init; }
    public string? CreatedBy { get; init; }

    public static string Normalize(string email) => email.Trim().ToLowerInvariant();
}

/// <summary>
/// What campaigns need of a person beyond the contact directory: the name to greet, the language to pick a variant by,
/// do-not-email and erasure. Kept from Contacts' person events like the directory (versioned, once per message).
/// </summary>
public sealed class RecipientProfile : ReplicaRow
{
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public string? Language { get; set; }
    public bool DoNotEmail { get; set; }
    public bool Erased { get; set; }
}

public static class CampaignModel
{
    public static ModelBuilder AddCampaigns(this ModelBuilder modelBuilder)
    {
        modelBuilder.AddEmailTemplates();
        modelBuilder.Entity<Campaign>(campaign =>
        {
            campaign.ToTable("campaigns");
            campaign.HasKey(c => c.Id);
            campaign.HasIndex(c => new { c.TenantId, c.CreatedAt, c.Id });
            campaign.Property(c => c.Name).HasMaxLength(Campaign.NameMaxLength);
            campaign.Property(c => c.Purpose).HasMaxLength(50);
            campaign.Property(c => c.From).HasMaxLength(Suppression.EmailMaxLength);
            campaign.Property(c => c.Status).HasMaxLength(20);
            campaign.Property(c => c.TimeZone).HasMaxLength(64);
            campaign.Property(c => c.TimeZoneMode).HasMaxLength(10);
            // A wall-clock time, in no zone until a recipient's or the tenant's is applied.
            campaign.Property(c => c.LocalTime).HasColumnType("timestamp without time zone");
            campaign.Property(c => c.TestSubjects).HasJsonColumn();
            campaign.Property(c => c.TestMetric).HasMaxLength(10);
            // The sender's queue across tenants.
            campaign.HasIndex(c => new { c.Status, c.ScheduledAt }).HasFilter("status IN ('scheduled', 'sending')").HasDatabaseName("ix_campaigns_due");
        });
        modelBuilder.Entity<CampaignRecipient>(recipient =>
        {
            recipient.ToTable("campaign_recipients");
            recipient.HasKey(r => r.Id);
            recipient.HasOne<Campaign>().WithMany().HasForeignKey(r => r.CampaignId).OnDelete(DeleteBehavior.Cascade);
            // Once per campaign and person (segment campaigns: enrolment_id is null and nulls count as equal), or once per
            // journey stay. The sender's ON CONFLICT names these three columns.
            recipient.HasIndex(r => new { r.CampaignId, r.PersonId, r.EnrolmentId }).IsUnique().AreNullsDistinct(false);
            recipient.HasIndex(r => new { r.CampaignId, r.Id }).HasFilter("status = 'pending'").HasDatabaseName("ix_campaign_recipients_pending");
            recipient.HasIndex(r => new { r.TenantId, r.PersonId });
            recipient.Property(r => r.Email).HasMaxLength(Suppression.EmailMaxLength);
            recipient.Property(r => r.Status).HasMaxLength(20);
            recipient.Property(r => r.SkipReason).HasMaxLength(40);
            recipient.Property(r => r.MessageId).HasMaxLength(200);
            recipient.Property(r => r.Error).HasMaxLength(1000);
        });
        modelBuilder.Entity<CampaignEngagement>(engagement =>
        {
            engagement.ToTable("campaign_engagements");
            engagement.HasKey(e => e.Id);
            engagement.HasOne<CampaignRecipient>().WithMany().HasForeignKey(e => e.RecipientId).OnDelete(DeleteBehavior.Cascade);
            engagement.HasIndex(e => new { e.CampaignId, e.Kind });
            engagement.Property(e => e.Kind).HasMaxLength(10);
            engagement.Property(e => e.Url).HasMaxLength(2000);
        });
        modelBuilder.Entity<Suppression>(suppression =>
        {
            suppression.ToTable("suppressions");
            suppression.HasKey(s => s.Id);
            suppression.HasIndex(s => new { s.TenantId, s.Email }).IsUnique();
            suppression.HasIndex(s => new { s.TenantId, s.CreatedAt, s.Id });
            suppression.Property(s => s.Email).HasMaxLength(Suppression.EmailMaxLength);
            suppression.Property(s => s.Reason).HasMaxLength(20);
            suppression.Property(s => s.Note).HasMaxLength(500);
            suppression.Property(s => s.CreatedBy).HasMaxLength(200);
        });
        modelBuilder.Entity<RecipientProfile>(profile =>
        {
            profile.ToTable("recipient_profiles");
            profile.HasKey(p => p.Id);
            profile.Property(p => p.Id).ValueGeneratedNever();
            profile.Property(p => p.Version).IsConcurrencyToken();
            profile.Property(p => p.FirstName).HasMaxLength(200);
            profile.Property(p => p.LastName).HasMaxLength(200);
            profile.Property(p => p.Language).HasMaxLength(35);
        });
        return modelBuilder;
    }
}
