using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Marketing.Segments;

public static class SegmentKinds
{
    /// <summary>Members are whoever the rules match, kept current from events.</summary>
    public const string Dynamic = "dynamic";

    /// <summary>Members are added and removed by hand (a list).</summary>
    public const string Static = "static";

    public static readonly IReadOnlyList<string> All = [Dynamic, Static];
}

/// <summary>An audience: a dynamic segment of the people its rules match, or a static list.</summary>
public sealed class Segment : UnownedAuditedEntity
{
    public const int NameMaxLength = 200;
    public const int DescriptionMaxLength = 2000;

    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string Kind { get; set; } = SegmentKinds.Dynamic;

    /// <summary>The rule tree as the client wrote it (validated); null for a static list.</summary>
    public string? Rules { get; set; }
}

/// <summary>
/// One stay of a person in a segment: entered at <see cref="CreatedAt"/>, current while <see cref="LeftAt"/> is null.
/// A person who leaves and comes back gets a new row, so the table is the segment's history as well as its members.
/// </summary>
public sealed class SegmentMembership : ITenantOwned, IKeysetOrdered
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid SegmentId { get; init; }
    public Guid PersonId { get; init; }

    /// <summary>When the person entered (the keyset order of the member list).</summary>
    public DateTime CreatedAt { get; init; }
    public DateTime? LeftAt { get; set; }
}

/// <summary>Kinds of <see cref="ContactBehaviour"/>.</summary>
public static class BehaviourKinds
{
    public const string OpenedCampaign = "opened-campaign";
    public const string ClickedCampaign = "clicked-campaign";
    public const string SubmittedForm = "submitted-form";
    /// <summary>Present while the opportunity (<see cref="ContactBehaviour.RefId"/>) is open; removed when it closes.</summary>
    public const string OpenOpportunity = "open-opportunity";
    /// <summary>Present while the ticket is not solved or closed.</summary>
    public const string OpenTicket = "open-ticket";
    /// <summary>The latest Sales activity or ticket of the contact (one row, <see cref="Guid.Empty"/> ref).</summary>
    public const string Activity = "activity";

    /// <summary>What counts as the contact being active, for <c>noActivityForDays</c>.</summary>
    public static readonly string[] Engagement = [Activity, OpenedCampaign, ClickedCampaign, SubmittedForm];
}

/// <summary>
/// What segment rules need to know of a contact's behaviour elsewhere, one row per contact × kind × campaign, form,
/// opportunity or ticket with the latest time: compact enough to sit in the one query a segment compiles to.
/// </summary>
public sealed class ContactBehaviour : ITenantOwned
{
    public Guid TenantId { get; set; }
    /// <summary>A person, or for opportunities and tickets also an organization (its people inherit it).</summary>
    public Guid ContactId { get; init; }
    public string Kind { get; init; } = "";
    public Guid RefId { get; init; }
    public DateTime OccurredAt { get; set; }

    /// <summary>For opportunities and tickets: still open. Kept false rather than deleted, so a late event cannot reopen it.</summary>
    public bool Active { get; set; } = true;

    /// <summary>For opportunities and tickets: the version of the event that set <see cref="Active"/>.</summary>
    public int Version { get; set; }
}

public static class SegmentModel
{
    public static ModelBuilder AddSegments(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Segment>(segment =>
        {
            segment.ToTable("segments");
            segment.HasKey(s => s.Id);
            segment.HasIndex(s => new { s.TenantId, s.CreatedAt, s.Id });
            segment.Property(s => s.Name).HasMaxLength(Segment.NameMaxLength);
            segment.Property(s => s.Description).HasMaxLength(Segment.DescriptionMaxLength);
            segment.Property(s => s.Kind).HasMaxLength(20);
            segment.Property(s => s.Rules).HasColumnType("jsonb");
        });
        modelBuilder.Entity<SegmentMembership>(membership =>
        {
            membership.ToTable("segment_memberships");
            membership.HasKey(m => m.Id);
            membership.Property(m => m.CreatedAt).HasColumnName("entered_at");
            membership.HasOne<Segment>().WithMany().HasForeignKey(m => m.SegmentId).OnDelete(DeleteBehavior.Cascade);
            // At most one current stay per person and segment; the member list pages over it.
            membership.HasIndex(m => new { m.SegmentId, m.PersonId }).IsUnique().HasFilter("left_at IS NULL")
                .HasDatabaseName("ix_segment_memberships_current");
            membership.HasIndex(m => new { m.SegmentId, m.CreatedAt, m.Id });
            membership.HasIndex(m => new { m.TenantId, m.PersonId });
        });
        // A re-evaluation reaches an organization's people (its open opportunity counts for them) by this index.
        modelBuilder.Entity<CrmPlatform.Persistence.ContactDirectory.DirectoryContact>().HasIndex(c => c.OrganizationId);
        modelBuilder.Entity<ContactBehaviour>(behaviour =>
        {
            behaviour.ToTable("contact_behaviours");
            behaviour.HasKey(b => new { b.TenantId, b.ContactId, b.Kind, b.RefId });
            behaviour.Property(b => b.Kind).HasMaxLength(30);
        });
        return modelBuilder;
    }
}
