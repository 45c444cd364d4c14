using System.Text.Json;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Duplicates;

/// <summary>
/// The check on create: a strong match among the records the caller can see is a 409 listing the candidates with
/// their reasons (<c>duplicates</c>), unless the request says <c>?allowDuplicates=true</c>. A query parameter rather
/// than a header: it shows in logs and links, and an import tool sets it once per call. Candidates the caller cannot
/// see are not named and do not block (the scan lists them for someone who sees both).
/// </summary>
internal static class DuplicateCheck
{
    public const string AllowParameter = "allowDuplicates";

    public static bool Allowed(HttpRequest request) =>
        bool.TryParse(request.Query[AllowParameter], out var allowed) && allowed;

    public static async Task<ProblemHttpResult?> PersonAsync(
        ContactsDbContext db, HttpRequest request, PersonValuesProbe probe, CancellationToken cancellationToken)
    {
        if (Allowed(request))
        {
            return null;
        }
        var strong = (await DuplicateDetection.MatchNewPersonAsync(db, probe, cancellationToken)).Where(m => m.Score >= DuplicateRules.Strong).ToList();
        var ids = strong.Select(m => m.CandidateId).ToList();
        var names = await db.People.AsNoTracking().Where(p => ids.Contains(p.Id))
            .ToDictionaryAsync(p => p.Id, p => (p.FirstName + " " + p.LastName).Trim(), cancellationToken);
        return Problem(MergeKinds.Person, strong, names);
    }

    public static async Task<ProblemHttpResult?> OrganizationAsync(
        ContactsDbContext db, HttpRequest request, string name, string? domain, CancellationToken cancellationToken)
    {
        if (Allowed(request))
        {
            return null;
        }
        var strong = (await DuplicateDetection.MatchNewOrganizationAsync(db, name, domain, cancellationToken)).Where(m => m.Score >= DuplicateRules.Strong).ToList();
        var ids = strong.Select(m => m.CandidateId).ToList();
        var names = await db.Organizations.AsNoTracking().Where(o => ids.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);
        return Problem(MergeKinds.Organization, strong, names);
    }

    private static ProblemHttpResult? Problem(string kind, List<DuplicateMatch> strong, Dictionary<Guid, string> visible)
    {
        var candidates = strong.Where(m => visible.ContainsKey(m.CandidateId))
            .OrderByDescending(m => m.Score)
            .Select(m => new DuplicateCandidate(m.CandidateId, visible[m.CandidateId], m.Score, DuplicateCandidate.StrengthOf(m.Score),
                JsonDocument.Parse(m.Reasons).RootElement.Clone()))
            .ToList();
        if (candidates.Count == 0)
        {
            return null;
        }
        return ApiProblems.Conflict(
            $"This {kind} looks like {candidates.Count} existing record(s); merge with one, or send ?{AllowParameter}=true to create it anyway.",
            new Dictionary<string, object?> { ["duplicates"] = candidates, ["threshold"] = DuplicateRules.Strong });
    }
}
