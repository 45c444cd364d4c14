using CrmPlatform.Persistence.Imports;
using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Contacts.Imports;

/// <summary>
/// An import of people from an uploaded file: its settings, where it is, and what it did. Stamped and versioned like
/// every record (the version guards the worker against the cancel and revert endpoints), but not audited: the people it
/// writes are.
/// </summary>
public sealed class ImportJob : Entity
{
    public const int FileNameMaxLength = 255;

    /// <summary>Who uploaded it: the worker acts as them (audit, owner of new people, record scope).</summary>
    public string? CreatedBy { get; set; }
    public bool CreatorSeesWholeTenant { get; set; } = true;

    public string FileName { get; set; } = "";
    public ImportFormat Format { get; set; }
    public long FileBytes { get; set; }
    /// <summary>A CSV file's encoding and delimiter, detected at the upload (<see cref="CsvDialect"/>); null for XLSX.</summary>
    public string? Encoding { get; set; }
    public string? Delimiter { get; set; }
    public CsvDialect? Dialect => Encoding is not null && Delimiter is [var delimiter] ? new CsvDialect(Encoding, delimiter) : null;

    /// <summary>The import's own default country for addresses and phone numbers that lack one; null: the tenant's.</summary>
    public string? DefaultCountry { get; set; }
    /// <summary>The default country the current (or last) run applied: the import's own, else the tenant's, else none.</summary>
    public string? AppliedDefaultCountry { get; set; }

    /// <summary>The header row as found in the file.</summary>
    public string[] Columns { get; set; } = [];
    /// <summary>File column to person field (<see cref="ImportFields"/>); columns not named are ignored.</summary>
    public Dictionary<string, string> Mapping { get; set; } = [];
    public ImportMode Mode { get; set; }
    public ImportMatch MatchBy { get; set; }
    /// <summary>The source of the <c>externalId</c> column (<c>salesforce</c>) when matching by external id.</summary>
    public string? ExternalIdSource { get; set; }

    public ImportStatus Status { get; set; }
    /// <summary>Whether the current (or last) run only reports what it would do.</summary>
    public bool DryRun { get; set; }

    public int? TotalRows { get; set; }
    /// <summary>Data rows of the file done so far, in file order: a resumed run skips them.</summary>
    public int ProcessedRows { get; set; }
    public int Created { get; set; }
    public int Updated { get; set; }
    public int Unchanged { get; set; }
    public int Duplicates { get; set; }
    public int Rejected { get; set; }
    /// <summary>Rows written (or, in a dry run, to be written) with an address whose country is the default country.</summary>
    public int AssumedAddressCountries { get; set; }
    /// <summary>Rows with a phone number read in the default country (it had no country code).</summary>
    public int AssumedPhoneCountries { get; set; }
    /// <summary>Rows with a partial address (no street, postal code, city or country), kept and marked incomplete.</summary>
    public int IncompleteAddresses { get; set; }

    public int RevertedRows { get; set; }
    /// <summary>Rows a revert left alone because their person was changed or deleted after the import.</summary>
    public int RevertSkipped { get; set; }

    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    /// <summary>When its worker last committed a batch; a running job silent for long is taken over (its worker died).</summary>
    public DateTime? HeartbeatAt { get; set; }
    public string? Error { get; set; }

    public bool IsFinished => Status is ImportStatus.Completed or ImportStatus.Failed or ImportStatus.Cancelled or ImportStatus.Reverted;

    public void ResetCounters()
    {
        (ProcessedRows, Created, Updated, Unchanged, Duplicates, Rejected) = (0, 0, 0, 0, 0, 0);
        (AssumedAddressCountries, AssumedPhoneCountries, IncompleteAddresses) = (0, 0, 0);
        (StartedAt, FinishedAt, HeartbeatAt, Error) = (null, null, null, null);
    }
}

public enum ImportMode
{
    /// <summary>Creates new people and updates the ones matched.</summary>
    Upsert,
    /// <summary>Creates new people only; a row matching someone is flagged as a duplicate.</summary>
    CreateOnly,
}

public enum ImportMatch
{
    Email,
    ExternalId,
}

public enum ImportStatus
{
    /// <summary>Uploaded; waiting for a dry run or a run.</summary>
    Uploaded,
    Queued,
    Running,
    Completed,
    Failed,
    Cancelled,
    RevertQueued,
    Reverting,
    Reverted,
}

/// <summary>One data row of a run and what became of it; the rejected-rows report and the revert read these.</summary>
public sealed class ImportRow : ITenantOwned
{
    public Guid TenantId { get; set; }
    public Guid JobId { get; init; }
    /// <summary>1 for the first data row after the header.</summary>
    public int RowNumber { get; init; }
    public ImportOutcome Outcome { get; init; }
    public Guid? PersonId { get; init; }
    /// <summary>The primary email and the external id of the row, for finding rows that repeat an earlier one.</summary>
    public string? Email { get; init; }
    public string? ExternalKey { get; init; }
    /// <summary>Why it was rejected or flagged.</summary>
    public string? Reason { get; init; }
    /// <summary>The file's values of a rejected row (column to text), for the report.</summary>
    public Dictionary<string, string?>? Values { get; init; }
    /// <summary>The person as it was before an update (a <c>PersonResponse</c> as JSON), for the revert.</summary>
    public string? Before { get; init; }
    /// <summary>The version the import wrote; a person at another version was changed since, and a revert leaves it alone.</summary>
    public int? VersionAfter { get; init; }
    public bool Reverted { get; set; }
}

public enum ImportOutcome
{
    Created,
    Updated,
    Unchanged,
    Duplicate,
    Rejected,
}
