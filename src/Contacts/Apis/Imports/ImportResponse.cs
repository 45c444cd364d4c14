using CrmPlatform.Contacts.Imports;
using CrmPlatform.Contacts.Model;

namespace CrmPlatform.Contacts.Apis;

public sealed record ImportTotals(int? Rows, int Processed, int Created, int Updated, int Unchanged, int Duplicates, int Rejected);

public sealed record ImportRevertTotals(int Reverted, int Skipped);

/// <summary>
/// What the current (or last) run assumed: the default country it applied (the import's own, else the tenant's, else
/// none), and how many accepted rows have an address country or a phone number's country taken from it, or a
/// partial address (kept, marked <c>incomplete</c>).
/// </summary>
public sealed record ImportAssumptions(string? DefaultCountry, int AddressCountries, int PhoneCountries, int IncompleteAddresses);

/// <summary>
/// An import job as <c>GET /api/v1/imports/{id}</c> shows it. <c>percent</c>, <c>rowsPerSecond</c> and
/// <c>etaSeconds</c> describe the current run (null before it starts counting); <c>dryRun</c> says whether that run
/// only reports. <c>encoding</c> and <c>delimiter</c> are what the upload detected in a CSV file (null for XLSX);
/// <c>defaultCountry</c> is the import's own default country (null: the tenant's applies).
/// </summary>
public sealed record ImportResponse(
    Guid Id,
    string Status,
    bool DryRun,
    string FileName,
    string Format,
    long FileBytes,
    string? Encoding,
    string? Delimiter,
    string? DefaultCountry,
    IReadOnlyList<string> Columns,
    IReadOnlyDictionary<string, string> Mapping,
    string Mode,
    string MatchBy,
    string? ExternalIdSource,
    ImportTotals Totals,
    ImportAssumptions Assumptions,
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
            job.Encoding, job.Delimiter, job.DefaultCountry,
            job.Columns, job.Mapping, KindNames.Of(job.Mode), KindNames.Of(job.MatchBy), job.ExternalIdSource,
            new ImportTotals(job.TotalRows, job.ProcessedRows, job.Created, job.Updated, job.Unchanged, job.Duplicates, job.Rejected),
            new ImportAssumptions(job.AppliedDefaultCountry, job.AssumedAddressCountries, job.AssumedPhoneCountries, job.IncompleteAddresses),
            percent, rate, eta, new ImportRevertTotals(job.RevertedRows, job.RevertSkipped), job.Error,
            job.CreatedAt, job.CreatedBy, job.StartedAt, job.FinishedAt, job.Version);
    }
}

/// <summary>
/// How to read the file: column to field (<see cref="ImportFields.All"/> or <c>custom.{key}</c>; left out: guessed from
/// the header), <c>mode</c> (<c>upsert</c> or <c>create-only</c>), <c>matchBy</c> (<c>email</c> or
/// <c>external-id</c>, which needs <c>externalIdSource</c>), <c>defaultCountry</c> (ISO 3166-1 alpha-2, for addresses
/// and phone numbers without one; <c>""</c> goes back to the tenant's). Left out: unchanged.
/// </summary>
public sealed record ImportSettingsRequest(Dictionary<string, string>? Mapping, string? Mode, string? MatchBy, string? ExternalIdSource,
    string? DefaultCountry = null);

/// <summary>
/// The first rows of a file as they would be stored: the file's values, the person (null when the row would be
/// rejected) with its assumed and incomplete parts, and the row's problems. Matching against people already stored
/// is the dry run's part.
/// </summary>
public sealed record ImportPreview(string? Encoding, string? Delimiter, IReadOnlyDictionary<string, string> Mapping, string? DefaultCountry,
    IReadOnlyList<ImportPreviewRow> Rows);

public sealed record ImportPreviewRow(int Row, IReadOnlyDictionary<string, string?> Values, PersonPreview? Person, IReadOnlyList<string> Problems);

/// <summary>A person as an import row would write it (the fields of <see cref="PersonResponse"/> a row can fill).</summary>
public sealed record PersonPreview(
    string FirstName,
    string LastName,
    IReadOnlyList<EmailAddress> Emails,
    IReadOnlyList<PhoneNumber> Phones,
    IReadOnlyList<PostalAddress> Addresses,
    string? JobTitle,
    string? Language,
    IReadOnlyList<string> Tags,
    Guid? OrganizationId,
    System.Text.Json.JsonElement CustomFields)
{
    public static PersonPreview From(PersonValues v) =>
        new(v.FirstName, v.LastName, v.Emails, v.Phones, v.Addresses, v.JobTitle, v.Language, v.Tags, v.OrganizationId, v.CustomFields.RootElement.Clone());
}
