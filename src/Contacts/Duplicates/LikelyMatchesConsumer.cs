using System.Text.Json;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Duplicates;

/// <summary>
/// Answers <see cref="FindLikelyMatches"/> (Sales, before converting a lead) with <see cref="DuplicateRules"/> as they
/// judge a record being created, plus the one thing those rules leave to the unique address: an identical email is
/// the same person (100 points, rule <c>same-address</c>). Acts as the asker, so their record scopes decide which
/// candidates are named. Reads only; an answer is cheap to compute again, so no inbox.
/// </summary>
public sealed class LikelyMatchesConsumer(ContactsDbContext db, TenantContext tenant) : IConsumer<FindLikelyMatches>
{
    public const int SameAddressPoints = 100;
    /// <summary>Candidates per kind at most: a lead's matches are a short list to choose from.</summary>
    public const int MaxCandidates = 10;

    public async Task Consume(ConsumeContext<FindLikelyMatches> context)
    {
        var request = context.Message;
        (tenant.TenantId, tenant.ActorId, tenant.SeesWholeTenant) = (request.TenantId, request.ActorId, request.ActorSeesWholeTenant);
        var cancellationToken = context.CancellationToken;

        var emails = request.Emails.Where(e => !string.IsNullOrWhiteSpace(e)).Select(Person.NormalizeEmail).Distinct().ToList();
        var phones = request.Phones.Select(p => E164.TryNormalize(p, request.PhoneRegion, out var e164) ? e164 : null).OfType<string>().Distinct().ToList();
        var people = new List<DuplicateMatch>();
        if (!string.IsNullOrWhiteSpace(request.LastName) || emails.Count > 0 || phones.Count > 0)
        {
            people = await DuplicateDetection.MatchNewPersonAsync(db,
                new PersonValuesProbe(request.FirstName?.Trim() ?? "", request.LastName?.Trim() ?? "", emails, phones, OrganizationId: null), cancellationToken);
            var sameAddress = await db.PersonEmails.AsNoTracking().Where(e => emails.Contains(e.Address)).ToListAsync(cancellationToken);
            people.AddRange(sameAddress.Select(e => new DuplicateMatch(null, e.PersonId, SameAddressPoints,
                JsonSerializer.Serialize(new[] { new { rule = "same-address", field = "emails", values = new[] { e.Address }, points = SameAddressPoints } }))));
        }
        var organizations = string.IsNullOrWhiteSpace(request.OrganizationName)
            ? []
            : await DuplicateDetection.MatchNewOrganizationAsync(db, request.OrganizationName.Trim(), request.OrganizationDomain?.Trim().ToLowerInvariant(), cancellationToken);

        // Only the records the asker sees in Contacts are named (the query filters apply their record scope).
        var personIds = people.Select(m => m.CandidateId).Distinct().ToList();
        var personNames = await db.People.AsNoTracking().Where(p => personIds.Contains(p.Id) && p.ErasedAt == null)
            .ToDictionaryAsync(p => p.Id, p => (p.FirstName + " " + p.LastName).Trim(), cancellationToken);
        var organizationIds = organizations.Select(m => m.CandidateId).Distinct().ToList();
        var organizationNames = await db.Organizations.AsNoTracking().Where(o => organizationIds.Contains(o.Id))
            .ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);

        await context.RespondAsync(new LikelyMatchesFound(Best(people, personNames), Best(organizations, organizationNames)));
    }

    /// <summary>One entry per candidate (their reasons and points summed), best first.</summary>
    private static List<LikelyMatch> Best(List<DuplicateMatch> matches, Dictionary<Guid, string> visible) =>
        [.. matches.Where(m => visible.ContainsKey(m.CandidateId))
            .GroupBy(m => m.CandidateId)
            .Select(g =>
            {
                var reasons = g.SelectMany(m => JsonSerializer.Deserialize<List<ReasonJson>>(m.Reasons, JsonSerializerOptions.Web)!)
                    .Select(r => new LikelyMatchReason(r.Rule, r.Field, [.. r.Values.Select(Text)], r.Points, r.Similarity))
                    .ToList();
                var score = g.Sum(m => m.Score);
                return new LikelyMatch(g.Key, visible[g.Key], score, DuplicateCandidate.StrengthOf(score), reasons);
            })
            .OrderByDescending(m => m.Score).ThenBy(m => m.DisplayName, StringComparer.Ordinal)
            .Take(MaxCandidates)];

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.ToString();

    private sealed record ReasonJson(string Rule, string Field, List<JsonElement> Values, int Points, decimal? Similarity);
}
