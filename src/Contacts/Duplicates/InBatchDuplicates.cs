using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CrmPlatform.Contacts.Imports;
using CrmPlatform.Contacts.Matching;

namespace CrmPlatform.Contacts.Duplicates;

/// <summary>
/// The duplicate rules between the new records of one batch (an import's rows, a bulk request's items), which the
/// database query cannot see because none of them is stored yet. Blocking keys are computed once per record (email
/// keys, phone numbers, the Kölner codes of the name), only records sharing one are compared, and each pair's evidence
/// is scored by <see cref="PersonScoring"/> exactly as a stored candidate's is, with the points of
/// <see cref="DuplicateRules"/>. The later record of a strong pair is the likely duplicate of the earlier one.
/// </summary>
internal static partial class InBatchDuplicates
{
    /// <summary>For each later candidate strongly matching an earlier one: the earlier one's number and the match.</summary>
    public static Dictionary<int, (int Earlier, DuplicateMatch Match)> Find(IReadOnlyList<NewPersonCandidate> candidates)
    {
        var ordered = candidates.OrderBy(c => c.RowNumber).Select(c => new Keyed(c)).ToList();
        var blocks = new Dictionary<string, List<Keyed>>();
        var found = new Dictionary<int, (int, DuplicateMatch)>();
        foreach (var record in ordered)
        {
            var earlier = record.BlockingKeys.SelectMany(key => blocks.TryGetValue(key, out var block) ? block : []).Distinct();
            var best = earlier.Where(other => CanBeStrong(record, other)).Select(other => (other, match: PersonScoring.Score(Evidence(record, other))))
                .Where(x => x.match is { Score: >= DuplicateRules.Strong })
                .OrderByDescending(x => x.match!.Score).ThenBy(x => x.other.Candidate.RowNumber)
                .FirstOrDefault();
            if (best.match is not null)
            {
                // A likely duplicate is not created, so later records are compared with the one it duplicates, not with it.
                found[record.Candidate.RowNumber] = (best.other.Candidate.RowNumber, best.match);
                continue;
            }
            foreach (var key in record.BlockingKeys)
            {
                (blocks.TryGetValue(key, out var block) ? block : blocks[key] = []).Add(record);
            }
        }
        return found;
    }

    private sealed class Keyed(NewPersonCandidate candidate)
    {
        public NewPersonCandidate Candidate { get; } = candidate;
        public HashSet<string> EmailKeys { get; } = [.. candidate.Values.Emails.Select(e => EmailKey(e.Address))];
        public HashSet<string> Phones { get; } = [.. candidate.Values.Phones.Select(p => p.Number)];
        public HashSet<string> Domains { get; } = [.. candidate.Values.Emails.Select(e => e.Address[(e.Address.IndexOf('@') + 1)..])
            .Where(d => !DuplicateRules.FreeMailDomains.Contains(d))];
        public HashSet<string> Trigrams { get; } = TrigramsOf($"{candidate.Values.FirstName} {candidate.Values.LastName}");

        public IEnumerable<string> BlockingKeys =>
        [
            .. EmailKeys.Select(k => "email:" + k),
            .. Phones.Select(p => "phone:" + p),
            $"sound:{KoelnerPhonetik.Encode(NameFolding.Fold(Candidate.Values.FirstName))} {KoelnerPhonetik.Encode(NameFolding.Fold(Candidate.Values.LastName))}",
        ];
    }

    /// <summary>
    /// Whether the pair could reach <see cref="DuplicateRules.Strong"/> with the best name rule: a cheap bound that keeps
    /// a block of a thousand similar-sounding names (a generated file) from being scored pair by pair.
    /// </summary>
    private static bool CanBeStrong(Keyed a, Keyed b)
    {
        var bound = (a.EmailKeys.Overlaps(b.EmailKeys) ? DuplicateRules.SameEmailPoints : 0)
            + (a.Phones.Overlaps(b.Phones) ? DuplicateRules.SamePhonePoints : 0)
            + NameMatching.EqualPoints
            + (a.Candidate.Values.OrganizationId is { } organization && organization == b.Candidate.Values.OrganizationId ? DuplicateRules.SameOrganizationPoints : 0)
            + (a.Domains.Overlaps(b.Domains) ? DuplicateRules.SameEmailDomainPoints : 0);
        return bound >= DuplicateRules.Strong;
    }

    private static PersonEvidence Evidence(Keyed probe, Keyed candidate)
    {
        var contact = new JsonArray();
        var (probeValues, candidateValues) = (probe.Candidate.Values, candidate.Candidate.Values);
        var sameKey = candidateValues.Emails.Select(e => e.Address)
            .Where(a => probe.EmailKeys.Contains(EmailKey(a)) && probeValues.Emails.All(e => e.Address != a)).Order().ToList();
        if (sameKey.Count > 0)
        {
            contact.Add(Reason("same-email", "emails", sameKey, DuplicateRules.SameEmailPoints));
        }
        var samePhones = probe.Phones.Intersect(candidate.Phones).Order().ToList();
        if (samePhones.Count > 0)
        {
            contact.Add(Reason("same-phone", "phones", samePhones, DuplicateRules.SamePhonePoints));
        }
        var name = new JsonArray();
        if (probeValues.OrganizationId is { } organization && organization == candidateValues.OrganizationId)
        {
            name.Add(Reason("same-organization", "organizationId", [organization.ToString()], DuplicateRules.SameOrganizationPoints));
        }
        var sameDomains = probe.Domains.Intersect(candidate.Domains).ToList();
        if (sameDomains.Count > 0)
        {
            name.Add(Reason("same-email-domain", "emails", sameDomains, DuplicateRules.SameEmailDomainPoints));
        }
        return new PersonEvidence(null, Guid.Empty, probeValues.FirstName, probeValues.LastName, candidateValues.FirstName,
            candidateValues.LastName, Similarity(probe.Trigrams, candidate.Trigrams), contact.ToJsonString(), name.ToJsonString());
    }

    private static JsonObject Reason(string rule, string field, IEnumerable<string> values, int points) => new()
    {
        ["rule"] = rule, ["field"] = field, ["values"] = new JsonArray([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]), ["points"] = points,
    };

    /// <summary>As <see cref="DuplicateRules.EmailKey"/> in SQL: the address without a <c>+tag</c>.</summary>
    private static string EmailKey(string address) => PlusTag().Replace(address, "@");

    /// <summary>pg_trgm's <c>similarity</c>: shared trigrams of the lower-cased words, each padded "  word ", over all trigrams.</summary>
    private static double Similarity(HashSet<string> a, HashSet<string> b) =>
        a.Count + b.Count == 0 ? 0 : (double)a.Count(b.Contains) / a.Union(b).Count();

    private static HashSet<string> TrigramsOf(string text) =>
    [
        .. Words().Matches(text.ToLowerInvariant()).SelectMany(word =>
        {
            var padded = $"  {word.Value} ";
            return Enumerable.Range(0, padded.Length - 2).Select(i => padded.Substring(i, 3));
        }),
    ];

    [GeneratedRegex(@"\+[^@]*@")]
    private static partial Regex PlusTag();

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Words();
}
