using CrmPlatform.Persistence.Imports;
using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Sales.Leads.Imports;

/// <summary>
/// An import of leads from an uploaded file: its mapping, where it is and what it did. Versioned like every record (a
/// second run of the same job loses on the version), not audited: the leads it writes are.
/// </summary>
public sealed class LeadImportJob : Entity
{
    public const int FileNameMaxLength = 255;

    /// <summary>Who uploaded it: the leads it creates are theirs.</summary>
    public string? CreatedBy { get; set; }

    public string FileName { get; set; } = "";
    public ImportFormat Format { get; set; }
    public long FileBytes { get; set; }
    /// <summary>The first 16 hex digits of the file's SHA-256: a row's lead is <c>{hash}:{row}</c> unless a column gives its reference.</summary>
    public string FileHash { get; set; } = "";
    /// <summary>The header row as found in the file.</summary>
    public IReadOnlyList<string> Columns { get; set; } = [];
    /// <summary>File column to lead field (<see cref="LeadImportFields"/>); columns not named are ignored.</summary>
    public IReadOnlyList<ColumnMapping> Mapping { get; set; } = [];
    /// <summary>The campaign every lead of the file came from, unless a column says otherwise.</summary>
    public Guid? CampaignId { get; set; }

    public LeadImportStatus Status { get; set; }
    /// <summary>Whether the last run only reported what it would do.</summary>
    public bool DryRun { get; set; }
    public int? TotalRows { get; set; }
    public int Created { get; set; }
    /// <summary>Rows whose lead was imported before (same source reference): left as they are.</summary>
    public int Existing { get; set; }
    public int Rejected { get; set; }
    public DateTime? FinishedAt { get; set; }
}

public sealed record ColumnMapping(string Column, string Field);

public enum LeadImportStatus
{
    /// <summary>Uploaded, or dry-run: waiting for (another dry run or) the run.</summary>
    Uploaded,
    /// <summary>Run: its leads are written.</summary>
    Completed,
}

/// <summary>One data row of the last run and what became of it; the rejected-rows report reads these.</summary>
public sealed class LeadImportRow : ITenantOwned
{
    public Guid TenantId { get; set; }
    public Guid JobId { get; init; }
    /// <summary>1 for the first data row after the header.</summary>
    public int RowNumber { get; init; }
    public LeadImportOutcome Outcome { get; init; }
    /// <summary>The lead created, or found from an earlier import; none for a dry run's new rows.</summary>
    public Guid? LeadId { get; init; }
    public string? Reason { get; init; }
    /// <summary>The file's values of a rejected row, in the order of the job's columns, for the report.</summary>
    public IReadOnlyList<string?>? Values { get; init; }
}

public enum LeadImportOutcome
{
    Created,
    Existing,
    Rejected,
}
