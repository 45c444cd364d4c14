using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Marketing.Attribution;

public static class TouchpointKinds
{
    public const string Click = "click";
    public const string Form = "form";
    public const string CampaignMembership = "campaign-membership";
}

public static class AttributionModels
{
    public const string FirstTouch = "first-touch";
    public const string LastTouch = "last-touch";
    public const string Linear = "linear";

    public static readonly IReadOnlyList<string> All = [FirstTouch, LastTouch, Linear];
}

/// <summary>
/// A marketing contact with a person: a click in a campaign email, a form submission, a campaign's membership. Keyed
/// by the person when known, else by the address (a form's sender may reach Contacts after the form), so a win finds
/// it either way. <see cref="SourceEventId"/> is unique: a redelivered event records nothing new.
/// </summary>
public sealed class Touchpoint : ITenantOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid? PersonId { get; set; }
    /// <summary>Normalized (lower case); null once erased.</summary>
    public string? Email { get; set; }
    public Guid? CampaignId { get; init; }
    /// <summary><c>email</c>, <c>web-form</c>, …: what revenue per channel groups by.</summary>
    public string Channel { get; init; } = "";
    public string Kind { get; init; } = "";
    public DateTime OccurredAt { get; init; }
    public Guid SourceEventId { get; init; }
}

/// <summary>
/// A won opportunity's revenue credited to one touchpoint under one model, in the opportunity's currency. The
/// campaign and channel are copied from the touchpoint so reports group without joining and survive its erasure.
/// </summary>
public sealed class AttributionCredit : ITenantOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid OpportunityId { get; init; }
    /// <summary>The version of the opportunity's <c>OpportunityWon</c> the credit was computed from.</summary>
    public int OpportunityVersion { get; init; }
    public string Model { get; init; } = "";
    public Guid TouchpointId { get; init; }
    public Guid? CampaignId { get; init; }
    public string Channel { get; init; } = "";
    public string Currency { get; init; } = "";
    public decimal Amount { get; init; }
    public DateTime WonAt { get; init; }
}

public static class AttributionModel
{
    public static ModelBuilder AddAttribution(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Touchpoint>(touchpoint =>
        {
            touchpoint.ToTable("attribution_touchpoints");
            touchpoint.HasKey(t => t.Id);
            touchpoint.Property(t => t.Email).HasMaxLength(320);
            touchpoint.Property(t => t.Channel).HasMaxLength(40);
            touchpoint.Property(t => t.Kind).HasMaxLength(30);
            touchpoint.HasIndex(t => new { t.TenantId, t.SourceEventId }).IsUnique();
            touchpoint.HasIndex(t => new { t.TenantId, t.PersonId, t.OccurredAt });
            touchpoint.HasIndex(t => new { t.TenantId, t.Email, t.OccurredAt });
        });
        modelBuilder.Entity<AttributionCredit>(credit =>
        {
            credit.ToTable("attribution_credits");
            credit.HasKey(c => c.Id);
            credit.Property(c => c.Model).HasMaxLength(20);
            credit.Property(c => c.Channel).HasMaxLength(40);
            credit.Property(c => c.Currency).HasMaxLength(3);
            credit.Property(c => c.Amount).HasPrecision(18, 2);
            credit.HasIndex(c => new { c.TenantId, c.OpportunityId, c.Model, c.TouchpointId }).IsUnique();
            credit.HasIndex(c => new { c.TenantId, c.Model, c.WonAt });
        });
        return modelBuilder;
    }
}
