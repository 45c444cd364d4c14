namespace CrmPlatform.Contracts.Marketing.V1;

/// <summary>
/// A campaign finished sending: every recipient (the segment's members when sending started) was sent the email,
/// skipped by the consent gate or refused by the mail server. <see cref="IIntegrationEvent.AggregateId"/> is the
/// campaign; <see cref="IIntegrationEvent.Version"/> is 1 (a campaign is sent once).
/// </summary>
/// <param name="CampaignId">Marketing's campaign.</param>
/// <param name="Name">The campaign's name when it finished.</param>
/// <param name="SegmentId">The segment it was sent to.</param>
/// <param name="Purpose">The consent purpose each recipient needed on email (<c>newsletter</c>, …).</param>
/// <param name="Recipients">Everyone it was addressed to.</param>
/// <param name="Sent">Accepted by the SMTP server.</param>
/// <param name="Skipped">Not sent: no consent, withdrawn, expired, pending, restricted, objected, do-not-email, erased or suppressed.</param>
/// <param name="Failed">Refused by the SMTP server for good.</param>
/// <param name="StartedAt">When sending started.</param>
/// <param name="FinishedAt">When the last recipient was done.</param>
public sealed record CampaignSent(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    Guid CampaignId, string Name, Guid SegmentId, string Purpose, int Recipients, int Sent, int Skipped, int Failed,
    DateTime StartedAt, DateTime FinishedAt) : IIntegrationEvent;

/// <summary>
/// Someone unsubscribed by the link (or their mail client's one-click button, RFC 8058) in a campaign email, or
/// reported it as spam to their mailbox provider, which sent Marketing an abuse report (<see cref="Via"/>). Marketing
/// has already suppressed the address; Contacts records it as a withdrawal of the person's consent for
/// <see cref="Purpose"/> on <see cref="Channel"/>, with the campaign as evidence. <see cref="IIntegrationEvent.AggregateId"/>
/// is the campaign's recipient (one per person and campaign); <see cref="IIntegrationEvent.Version"/> is 1.
/// </summary>
/// <param name="CampaignId">The campaign whose link was used.</param>
/// <param name="CampaignName">Its name, for the evidence ("unsubscribe link of campaign …").</param>
/// <param name="PersonId">The person in Contacts the email went to.</param>
/// <param name="Email">The address the email went to.</param>
/// <param name="Purpose">The consent purpose the campaign was sent for.</param>
/// <param name="Channel">Always <c>email</c>.</param>
/// <param name="UnsubscribedAt">When the link was used.</param>
/// <param name="IpAddress">The address the request came from, as Marketing saw it (evidence).</param>
/// <param name="UserAgent">The client as it said (evidence; a mail provider's for a one-click unsubscribe).</param>
public sealed record Unsubscribed(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    Guid CampaignId, string CampaignName, Guid PersonId, string Email, string Purpose, string Channel, DateTime UnsubscribedAt,
    string? IpAddress, string? UserAgent) : IIntegrationEvent
{
    // Added after the first release of V1 (additive): events published before carry none, and mean a link.

    /// <summary>
    /// How the person said stop: <c>link</c> (the unsubscribe link or one-click button; also when absent) or <c>complaint</c>
    /// (a spam complaint: an RFC 5965 abuse report from their mailbox provider; then <see cref="UserAgent"/> is the
    /// reporting system's and <see cref="IpAddress"/> is null).
    /// </summary>
    public string? Via { get; init; }
}

/// <summary>The values of <see cref="Unsubscribed.Via"/>.</summary>
public static class UnsubscribeVia
{
    public const string Link = "link";
    public const string Complaint = "complaint";
}
