using CrmPlatform.Contacts.Imports;
using CrmPlatform.Contacts.Model;

namespace CrmPlatform.Contacts.Apis;

public sealed record ImportTotals(int? Rows, int Processed, int Created, int Updated, int Unchanged, int Duplicates, int Rejected);

public sealed record ImportRevertTotals(int Reverted, int Skipped);

/// <summary>
/// An import job as <c>GET /api/v1/imports/{id}</c> shows it. <c>percent</c>, <c>rowsPerSecond</c> and
/// <c>etaSeconds</c> describe the current run (null before it starts counting); <c>dryRun</c> says whether that run
/// only reports.
/// </summary>
public sealed record ImportResponse(
    Guid Id,
    string Status,
    bool DryRun,
    string FileName,
    string Format,
    long FileBytes,
    IReadOnlyList<string> Columns,
    IReadOnlyDictionary<string, string> Mapping,
    string Mode,
    string MatchBy,
    string? ExternalIdSource,
    ImportTotals Totals,
    double? Percent,
    double? RowsPerSecond,
    double? EtaSeconds,
    ImportRevertTotals Revert,
    string? Error,
    DateTime CreatedAt,
    string? CreatedBy,
    DateTime? StartedAt,
    DateTime? FinishedAt,
    int Version)
{
    public static ImportResponse From(ImportJob job, DateTime now)
    {
        double? percent = job.TotalRows is > 0 ? Math.Round(100.0 * job.ProcessedRows / job.TotalRows.Value, 1)
            : job.TotalRows == 0 ? 100 : null;
        var elapsed = job.StartedAt is { } started ? ((job.FinishedAt ?? now) - started).TotalSeconds : 0;
        double? rate = elapsed > 0 && job.ProcessedRows > 0 ? Math.Round(job.ProcessedRows / elapsed, 1) : null;
        double? eta = job.IsFinished ? 0 : rate is > 0 && job.TotalRows is { } total ? Math.Round((total - job.ProcessedRows) / rate.Value, 1) : null;
        return new ImportResponse(job.Id, KindNames.Of(job.Status), job.DryRun, job.FileName, KindNames.Of(job.Format), job.FileBytes,
            job.Columns, job.Mapping, KindNames.Of(job.Mode), KindNames.Of(job.MatchBy), job.ExternalIdSource,
            new ImportTotals(job.TotalRows, job.ProcessedRows, job.Created, job.Updated, job.Unchanged, job.Duplicates, job.Rejected),
            percent, rate, eta, new ImportRevertTotals(job.RevertedRows, job.RevertSkipped), job.Error,
            job.CreatedAt, job.CreatedBy, job.StartedAt, job.FinishedAt, job.Version);
    }
}

/// <summary>
/// How to read the file: column to field (<see cref="ImportFields.All"/> or <c>custom.{key}</c>; left out: guessed from
/// the header), <c>mode</c> (<c>upsert</c> or <c>create-only</c>), <c>matchBy</c> (<c>email</c> or
/// <c>external-id</c>, which needs <c>externalIdSource</c>).
/// </summary>
public sealed record ImportSettingsRequest(Dictionary<string, string>? Mapping, string? Mode, string? MatchBy, string? ExternalIdSource);
