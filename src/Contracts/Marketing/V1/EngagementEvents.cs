namespace CrmPlatform.Contracts.Marketing.V1;

/// <summary>
/// Someone opened a campaign email. Keyed by the recipient's email address and, when Contacts knows them, the person's
/// id, because the recipient may still be a lead that no person exists for. <see cref="AggregateId"/> is the campaign.
/// Sales' lead scoring counts it as engagement; a redelivered event counts once (<see cref="EventId"/>).
/// </summary>
public sealed record CampaignEmailOpened(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    Guid CampaignId, string? Email, Guid? PersonId, DateTime OpenedAt) : IIntegrationEvent;

/// <summary>
/// Someone clicked a link in a campaign email; keyed like <see cref="CampaignEmailOpened"/>. <see cref="Url"/> is the
/// link's target as the campaign wrote it.
/// </summary>
public sealed record CampaignLinkClicked(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    Guid CampaignId, string? Email, Guid? PersonId, string? Url, DateTime ClickedAt) : IIntegrationEvent;
