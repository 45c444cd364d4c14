namespace CrmPlatform.Contracts.Contacts.V1;

/// <summary>
/// A request/response (not an event): who in Contacts a prospective person and organization look like, by Contacts'
/// own duplicate rules. Sales asks it before converting a lead. Contacts answers with <see cref="LikelyMatchesFound"/>,
/// limited to the records <paramref name="ActorId"/> may see there (record scopes apply as to a request of theirs).
/// </summary>
/// <param name="ActorId">Who asks (a user or API client id); null for the platform's own work.</param>
/// <param name="ActorSeesWholeTenant">False for the sales roles, who see only their own and their teams' records.</param>
/// <param name="Emails">Addresses as given; Contacts normalizes them.</param>
/// <param name="Phones">Numbers as given; Contacts reads them in <paramref name="PhoneRegion"/> when they have no country code.</param>
/// <param name="OrganizationName">Null to look for no organization.</param>
public sealed record FindLikelyMatches(
    Guid TenantId,
    string? ActorId,
    bool ActorSeesWholeTenant,
    string? FirstName,
    string? LastName,
    IReadOnlyList<string> Emails,
    IReadOnlyList<string> Phones,
    string? PhoneRegion,
    string? OrganizationName,
    string? OrganizationDomain);

/// <summary>One existing person or organization: how sure (<c>strong</c> from 80, <c>possible</c> from 50), and the rules that matched.</summary>
/// <param name="Reasons">Each rule that matched: <c>rule</c>, <c>field</c>, <c>values</c>, <c>points</c> (and <c>similarity</c> for names).</param>
public sealed record LikelyMatch(Guid Id, string DisplayName, int Score, string Strength, IReadOnlyList<LikelyMatchReason> Reasons);

public sealed record LikelyMatchReason(string Rule, string Field, IReadOnlyList<string> Values, int Points, decimal? Similarity);

/// <summary>The answer to <see cref="FindLikelyMatches"/>, best first.</summary>
public sealed record LikelyMatchesFound(IReadOnlyList<LikelyMatch> People, IReadOnlyList<LikelyMatch> Organizations);
