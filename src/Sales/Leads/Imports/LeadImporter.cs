using CrmPlatform.Persistence.Imports;
using CrmPlatform.Sales.Data;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Leads.Imports;

/// <summary>
/// Runs a lead import within the request, in one transaction: every row is checked as the API checks a lead, rows whose
/// source reference was imported before are left alone (found tenant-wide), and the leads, their <c>LeadCreated</c>
/// events and the per-row report commit together or not at all. A dry run does the same and writes only the report.
/// Lead files are small beside people files (a fair's badge scans, a purchased list), so no background worker: a file
/// is at most <c>Leads:ImportMaxRows</c> rows (10,000 by default).
/// </summary>
public sealed class LeadImporter(SalesDbContext db, ImportFiles files, TimeProvider clock, IConfiguration configuration)
{
    public int MaxRows { get; } = configuration.GetValue<int?>("Leads:ImportMaxRows") ?? 10_000;

    private sealed record ParsedRow(ImportRecord Record, LeadRequest? Request, string? Problem);

    /// <summary>Null when done; otherwise why the file cannot be run (too many rows).</summary>
    public async Task<string?> RunAsync(LeadImportJob job, bool dryRun, CancellationToken cancellationToken)
    {
        var parsed = new List<ParsedRow>();
        foreach (var record in files.Read(job.Id, job.Format))
        {
            if (parsed.Count == MaxRows)
            {
                return $"The file has more than {MaxRows} rows; split it.";
            }
            var (request, problem) = LeadImportFields.ToRequest(record.Values, job.Mapping, job.CampaignId, $"{job.FileHash}:{record.RowNumber}");
            if (request is not null && request.Validate() is { IsValid: false } errors)
            {
                problem = string.Join(" ", errors.SelectMany(e => e.Value));
                request = null;
            }
            parsed.Add(new ParsedRow(record, request, problem));
        }

        var references = parsed.Where(p => p.Request is not null).Select(p => p.Request!.SourceReference!.Trim()).Distinct().ToList();
        var imported = await db.Leads.IgnoreQueryFilters().AsNoTracking()
            .Where(l => l.TenantId == db.CurrentTenantId && l.Source == LeadSources.Import && references.Contains(l.SourceReference!))
            .ToDictionaryAsync(l => l.SourceReference!, l => l.Id, cancellationToken);

        var emails = parsed.Select(p => p.Request?.Email?.Trim().ToLowerInvariant()).OfType<string>().Distinct().ToList();
        var people = dryRun ? new Dictionary<string, Guid>() : await LeadCapture.PeopleByEmailAsync(db, emails, cancellationToken);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The report of an earlier dry run gives way to this run's.
        await db.LeadImportRows.Where(r => r.JobId == job.Id).ExecuteDeleteAsync(cancellationToken);
        var created = new List<Lead>();
        var rows = new List<LeadImportRow>();
        var seen = new Dictionary<string, int>();
        foreach (var (record, request, problem) in parsed)
        {
            var reference = request?.SourceReference!.Trim();
            if (request is null || seen.TryGetValue(reference!, out _))
            {
                var reason = problem ?? $"sourceReference '{reference}' repeats row {seen[reference!]}.";
                rows.Add(new LeadImportRow
                {
                    JobId = job.Id, RowNumber = record.RowNumber, Outcome = LeadImportOutcome.Rejected, Reason = reason,
                    Values = [.. job.Columns.Select(c => record.Values.GetValueOrDefault(c))],
                });
                continue;
            }
            seen[reference!] = record.RowNumber;
            if (imported.TryGetValue(reference!, out var existing))
            {
                rows.Add(new LeadImportRow { JobId = job.Id, RowNumber = record.RowNumber, Outcome = LeadImportOutcome.Existing, LeadId = existing });
                continue;
            }
            Guid? leadId = null;
            if (!dryRun)
            {
                var lead = new Lead();
                request.ApplyTo(lead);
                lead.EmailPersonId = lead.Email is not null && people.TryGetValue(lead.Email, out var person) ? person : null;
                created.Add(lead);
                leadId = lead.Id;
            }
            rows.Add(new LeadImportRow { JobId = job.Id, RowNumber = record.RowNumber, Outcome = LeadImportOutcome.Created, LeadId = leadId });
        }

        db.Leads.AddRange(created);
        await Assignment.NewLeads.PrepareAllAsync(db, created, cancellationToken);
        db.LeadImportRows.AddRange(rows);
        // Stamped once for the whole file (not per lead): the events carry the tenant and version about to be written.
        db.Stamp();
        foreach (var lead in created)
        {
            db.AddEvent(lead.Created());
        }
        job.TotalRows = parsed.Count;
        job.Created = rows.Count(r => r.Outcome == LeadImportOutcome.Created);
        job.Existing = rows.Count(r => r.Outcome == LeadImportOutcome.Existing);
        job.Rejected = rows.Count(r => r.Outcome == LeadImportOutcome.Rejected);
        (job.DryRun, job.Status, job.FinishedAt) = (dryRun, dryRun ? LeadImportStatus.Uploaded : LeadImportStatus.Completed, clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return null;
    }
}
