using CrmPlatform.Contacts.Model;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Contacts.Merging;

/// <summary>
/// A merge as clients send it: the record that stays, the records merged into it, which record gives each field
/// (<c>{ "jobTitle": "&lt;id&gt;" }</c>; default: the survivor's value, or the first merged record's when the survivor has
/// none) and, optionally, the versions the caller read of the merged records (a concurrent change is a 412). The
/// survivor's version goes in <c>If-Match</c>, as for any change.
/// </summary>
public sealed record MergeRequest(
    Guid SurvivorId,
    IReadOnlyList<Guid>? MergedIds,
    IReadOnlyDictionary<string, Guid>? Fields,
    IReadOnlyDictionary<Guid, int>? Versions)
{
    /// <summary>At most this many records are merged into one at a time; larger clean-ups are several merges.</summary>
    public const int MaxMergedIds = 10;

    public IReadOnlyList<Guid> Merged => MergedIds ?? [];
    public IReadOnlyDictionary<string, Guid> Choices => Fields ?? new Dictionary<string, Guid>();

    internal FieldErrors Validate<TRecord>(MergeFields<TRecord> fields) where TRecord : CustomerRecord
    {
        var errors = new FieldErrors()
            .When(SurvivorId == Guid.Empty, "survivorId", "Name the record that stays.")
            .When(Merged.Count == 0, "mergedIds", "Name at least one record to merge into the survivor.")
            .When(Merged.Count > MaxMergedIds, "mergedIds", $"At most {MaxMergedIds} records are merged at a time.")
            .When(Merged.Contains(SurvivorId), "mergedIds", "The survivor cannot be merged into itself.")
            .When(Merged.Distinct().Count() != Merged.Count, "mergedIds", "An id is named twice.");
        foreach (var (field, source) in Choices)
        {
            errors.When(!fields.Knows(field), $"fields.{field}", $"'{field}' is not a field a merge can choose.")
                .When(source != SurvivorId && !Merged.Contains(source), $"fields.{field}", "The source must be the survivor or one of the merged records.");
        }
        return errors;
    }
}

/// <summary>What a merge did, and until when it can be undone.</summary>
public sealed record MergeResponse(
    Guid Id, string Kind, Guid SurvivorId, IReadOnlyList<Guid> MergedIds, string MergedBy, DateTime MergedAt,
    DateTime UndoUntil, bool Undone, DateTime? UndoneAt, string? UndoneBy, int SurvivorVersion)
{
    public static MergeResponse From(MergeRecord merge, TimeSpan undoWindow) => new(
        merge.Id, merge.Kind, merge.SurvivorId, merge.MergedIds, merge.MergedBy, merge.CreatedAt, merge.CreatedAt + undoWindow,
        merge.UndoneAt is not null, merge.UndoneAt, merge.UndoneBy, merge.SurvivorVersion);
}

/// <summary><c>Contacts:Merge</c>: how long a merge can be undone (default 30 days).</summary>
public sealed class MergeOptions
{
    public const string Section = "Contacts:Merge";
    public TimeSpan UndoWindow { get; set; } = TimeSpan.FromDays(30);
}
