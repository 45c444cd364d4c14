using System.Text.Json.Nodes;
using CrmPlatform.Contacts.Matching;

namespace CrmPlatform.Contacts.Duplicates;

/// <summary>What <see cref="DuplicateRules.PersonMatches"/> finds about one candidate of one probe.</summary>
public sealed record PersonEvidence(Guid? ProbeId, Guid CandidateId, string ProbeFirstName, string ProbeLastName,
    string CandidateFirstName, string CandidateLastName, double Similarity, string ContactReasons, string NameReasons);

/// <summary>
/// Scores a candidate from its evidence: the contact-point reasons as found, the best name rule (trigram
/// <c>similar-name</c>, or German-aware <see cref="NameMatching"/>: only one counts, since they describe the same
/// names), and with a name rule the organization and email-domain reasons. Every reason keeps the shape
/// { rule, field, values, points }; the name rules add what they measured and an <c>explanation</c>.
/// </summary>
internal static class PersonScoring
{
    public const double SimilarNameFrom = 0.6;
    public const int SimilarNamePoints = 50;

    public static DuplicateMatch? Score(PersonEvidence evidence)
    {
        var reasons = JsonNode.Parse(evidence.ContactReasons)!.AsArray();
        if (NameReason(evidence) is { } name)
        {
            reasons.Add(name);
            foreach (var reason in JsonNode.Parse(evidence.NameReasons)!.AsArray().ToList())
            {
                reasons.Add(reason!.DeepClone());
            }
        }
        var score = reasons.Sum(r => r!["points"]!.GetValue<int>());
        return score >= DuplicateRules.Possible
            ? new DuplicateMatch(evidence.ProbeId, evidence.CandidateId, score, reasons.ToJsonString())
            : null;
    }

    private static JsonObject? NameReason(PersonEvidence e)
    {
        var (probe, candidate) = ($"{e.ProbeFirstName} {e.ProbeLastName}".Trim(), $"{e.CandidateFirstName} {e.CandidateLastName}".Trim());
        var similar = e.Similarity >= SimilarNameFrom ? (int)Math.Round(SimilarNamePoints * e.Similarity, MidpointRounding.AwayFromZero) : 0;
        var german = NameMatching.Compare(e.ProbeFirstName, e.ProbeLastName, e.CandidateFirstName, e.CandidateLastName);
        if (german is not null && german.Points > similar)
        {
            var reason = new JsonObject
            {
                ["rule"] = german.Rule,
                ["field"] = german.Field,
                ["values"] = new JsonArray(probe, candidate),
                ["points"] = german.Points,
                ["distance"] = german.Distance,
                ["explanation"] = german.Explanation,
            };
            if (german.Phonetic is not null)
            {
                reason["phonetic"] = german.Phonetic;
            }
            return reason;
        }
        if (similar == 0)
        {
            return null;
        }
        var similarity = Math.Round((decimal)e.Similarity, 2);
        return new JsonObject
        {
            ["rule"] = "similar-name",
            ["field"] = "name",
            ["values"] = new JsonArray(probe.ToLowerInvariant(), candidate.ToLowerInvariant()),
            ["similarity"] = similarity,
            ["points"] = similar,
            ["explanation"] = $"names written alike (trigram similarity {similarity.ToString(System.Globalization.CultureInfo.InvariantCulture)}): {probe} ~ {candidate}",
        };
    }
}
