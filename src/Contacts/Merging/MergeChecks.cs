using System.Text.Json;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrmPlatform.Contacts.Merging;

/// <summary>What every merge checks before it changes anything, and the record it leaves.</summary>
internal static class MergeChecks
{
    /// <summary>
    /// 422 when a record does not exist for the caller (another tenant's or out of scope looks the same); 428/412 when
    /// If-Match does not name the survivor's version, 412 when a given merged record's version is not current.
    /// </summary>
    public static ProblemHttpResult? Check<TRecord>(IReadOnlyList<TRecord> loaded, MergeRequest request, HttpRequest http, string resource)
        where TRecord : CustomerRecord
    {
        var missing = request.Merged.Prepend(request.SurvivorId).Where(id => loaded.All(r => r.Id != id)).ToList();
        if (missing.Count > 0)
        {
            return ApiProblems.Unprocessable($"No {resource} with id {string.Join(", ", missing.Select(id => $"'{id}'"))}.",
                new Dictionary<string, string[]>
                {
                    [missing.Contains(request.SurvivorId) ? "survivorId" : "mergedIds"] = [.. missing.Select(id => $"No {resource} with id '{id}'.")],
                });
        }
        // An erased record has nothing left to merge, and merging is processing, which a restriction (Art. 18) forbids.
        if (loaded.OfType<Person>().FirstOrDefault(p => p.ErasedAt is not null || p.ProcessingRestrictedAt is not null) is { } held)
        {
            var why = held.ErasedAt is not null ? "was erased" : "has its processing restricted (GDPR Art. 18)";
            return ApiProblems.Unprocessable($"The person '{held.Id}' {why}, so it cannot be merged.",
                new Dictionary<string, string[]>
                {
                    [held.Id == request.SurvivorId ? "survivorId" : "mergedIds"] = [$"The person '{held.Id}' {why}."],
                });
        }
        if (ETags.CheckIfMatch(http, loaded.Single(r => r.Id == request.SurvivorId).Version, out _) is { } precondition)
        {
            return precondition;
        }
        foreach (var (id, version) in request.Versions ?? new Dictionary<Guid, int>())
        {
            if (loaded.FirstOrDefault(r => r.Id == id) is { } record && record.Version != version)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "Precondition failed",
                    detail: $"The {resource} '{id}' has changed since you read it (now version {record.Version}); read it again and retry.",
                    extensions: new Dictionary<string, object?> { ["id"] = id, ["currentVersion"] = record.Version });
            }
        }
        return null;
    }

    public static MergeRecord Record(
        ContactsDbContext db, string kind, Guid survivorId, Guid[] merged, int survivorVersion, Dictionary<string, List<JsonElement>> before, DateTime now)
    {
        var merge = new MergeRecord
        {
            CreatedAt = now,
            Kind = kind,
            SurvivorId = survivorId,
            MergedIds = merged,
            MergedBy = db.CurrentActorId ?? "system",
            SurvivorVersion = survivorVersion,
            Before = JsonSerializer.SerializeToDocument(before),
        };
        db.Merges.Add(merge);
        return merge;
    }
}
