using CrmPlatform.Persistence.Imports;
using System.Text.Json;
using CrmPlatform.Contacts.Apis;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Imports;

/// <summary>
/// Imports one batch of rows in the caller's transaction: each row is read by the API's own
/// <see cref="PersonRequest.Read"/>, matched by email or external id with one query per batch, and created or updated
/// through the same entity methods, events and audit as the API. A dry run decides the same outcomes and keeps only
/// the rows' report. What the batch did is added to the job, whose save commits it all together.
/// </summary>
internal sealed class PersonImporter(ContactsDbContext db, IImportDuplicateCheck duplicateCheck)
{
    private sealed class Row(ImportRecord record)
    {
        public ImportRecord Record { get; } = record;
        public PersonValues? Values { get; set; }
        public string? Email { get; set; }
        public string? ExternalKey { get; set; }
        public string? OrganizationName { get; set; }
        public ImportOutcome? Outcome { get; set; }
        public string? Reason { get; set; }
        public Person? Person { get; set; }
        public string? Before { get; set; }

        public void Reject(string reason) => (Outcome, Reason) = (ImportOutcome.Rejected, reason);
        public void Flag(string reason) => (Outcome, Reason) = (ImportOutcome.Duplicate, reason);
        public bool IsOpen => Outcome is null;
    }

    public async Task ImportAsync(ImportJob job, IReadOnlyList<ImportRecord> records, IReadOnlyList<CustomFieldDefinition> customFields,
        CancellationToken cancellationToken)
    {
        var rows = records.Select(record => Read(job, record, customFields)).ToList();
        await FlagRepeatsAsync(job, rows, cancellationToken);
        await MatchAsync(job, rows, cancellationToken);
        await CheckOrganizationsAsync(rows, cancellationToken);
        var newOrganizations = await LinkOrganizationsAsync(rows, cancellationToken);
        await FlagLikelyDuplicatesAsync(rows, cancellationToken);
        Apply(job, rows);
        if (job.DryRun)
        {
            foreach (var entry in db.ChangeTracker.Entries().Where(e => e.Entity is not ImportJob).ToList())
            {
                entry.State = EntityState.Detached;
            }
        }
        else
        {
            db.Stamp();
            foreach (var organization in newOrganizations)
            {
                db.AddEvent(organization.Created());
            }
            foreach (var row in rows)
            {
                if (row.Outcome == ImportOutcome.Created)
                {
                    db.AddEvent(row.Person!.Created());
                }
                else if (row.Outcome == ImportOutcome.Updated)
                {
                    db.AddEvent(row.Person!.Updated());
                }
            }
        }

        db.ImportRows.AddRange(rows.Select(row => new ImportRow
        {
            JobId = job.Id,
            RowNumber = row.Record.RowNumber,
            Outcome = row.Outcome!.Value,
            PersonId = job.DryRun && row.Outcome == ImportOutcome.Created ? null : row.Person?.Id,
            Email = row.Outcome is ImportOutcome.Rejected ? null : row.Email,
            ExternalKey = row.Outcome is ImportOutcome.Rejected ? null : row.ExternalKey,
            Reason = row.Reason,
            // Kept for the reports: rows set aside are what the importer corrects and uploads again.
            Values = row.Outcome is ImportOutcome.Rejected or ImportOutcome.Duplicate ? new Dictionary<string, string?>(row.Record.Values) : null,
            Before = row.Before,
            VersionAfter = job.DryRun ? null : row.Person?.Version,
        }));
        job.ProcessedRows = records[^1].RowNumber;
        job.Created += rows.Count(r => r.Outcome == ImportOutcome.Created);
        job.Updated += rows.Count(r => r.Outcome == ImportOutcome.Updated);
        job.Unchanged += rows.Count(r => r.Outcome == ImportOutcome.Unchanged);
        job.Duplicates += rows.Count(r => r.Outcome == ImportOutcome.Duplicate);
        job.Rejected += rows.Count(r => r.Outcome == ImportOutcome.Rejected);
        var written = rows.Where(r => r.Outcome is ImportOutcome.Created or ImportOutcome.Updated or ImportOutcome.Unchanged).Select(r => r.Values!).ToList();
        job.AssumedAddressCountries += written.Count(v => v.Addresses.Any(a => a.Assumed.Count > 0));
        job.AssumedPhoneCountries += written.Count(v => v.Phones.Any(p => p.AssumedCountry is not null));
        job.IncompleteAddresses += written.Count(v => v.Addresses.Any(a => a.Incomplete));
    }

    /// <summary>A row that could not be written at all (a write racing the import took one of its addresses).</summary>
    public void Reject(ImportJob job, ImportRecord record, string reason)
    {
        db.ImportRows.Add(new ImportRow
        {
            JobId = job.Id, RowNumber = record.RowNumber, Outcome = ImportOutcome.Rejected, Reason = reason,
            Values = new Dictionary<string, string?>(record.Values),
        });
        job.ProcessedRows = record.RowNumber;
        job.Rejected++;
    }

    private static Row Read(ImportJob job, ImportRecord record, IReadOnlyList<CustomFieldDefinition> customFields)
    {
        var row = new Row(record);
        var (values, problems, externalKey) = Interpret(job, record, customFields, job.AppliedDefaultCountry);
        row.ExternalKey = externalKey;
        row.OrganizationName = ImportFields.ByField(record.Values, job.Mapping).GetValueOrDefault(ImportFields.OrganizationName)?.Trim();
        if (values is null)
        {
            row.Reject(string.Join(" ", problems));
            return row;
        }
        row.Values = values;
        row.Email = values.Emails.Single(e => e.Primary).Address;
        return row;
    }

    /// <summary>
    /// A row as the person it would be (null with the problems when it cannot be one) and its external id, before
    /// any look-up: what the preview shows and what every run starts from.
    /// </summary>
    public static (PersonValues? Values, List<string> Problems, string? ExternalKey) Interpret(
        ImportJob job, ImportRecord record, IReadOnlyList<CustomFieldDefinition> customFields, string? defaultCountry)
    {
        var fields = ImportFields.ByField(record.Values, job.Mapping);
        var problems = ImportFields.TextProblems(fields).ToList();
        var values = ImportFields.ToRequest(fields, customFields).Read(customFields, defaultCountry, out var errors);
        problems.AddRange(errors.SelectMany(e => e.Value));
        var externalKey = fields.TryGetValue(ImportFields.ExternalId, out var key) ? key.Trim() : null;
        if (job.MatchBy == ImportMatch.ExternalId && externalKey is null)
        {
            problems.Add($"{ImportFields.ExternalId} is required to match by external id.");
        }
        if (externalKey is { Length: > ExternalIds.IdMaxLength })
        {
            problems.Add($"{ImportFields.ExternalId} must be at most {ExternalIds.IdMaxLength} characters.");
        }
        return (problems.Count > 0 ? null : values, [.. problems.Distinct()], externalKey);
    }

    /// <summary>A row whose email or external id an earlier row of the file had, in this batch or an earlier one.</summary>
    private async Task FlagRepeatsAsync(ImportJob job, List<Row> rows, CancellationToken cancellationToken)
    {
        var emails = rows.Where(r => r.IsOpen).Select(r => r.Email!).Distinct().ToList();
        var keys = rows.Where(r => r.IsOpen && r.ExternalKey is not null).Select(r => r.ExternalKey!).Distinct().ToList();
        var earlier = await db.ImportRows.AsNoTracking()
            .Where(r => r.JobId == job.Id && (emails.Contains(r.Email!) || keys.Contains(r.ExternalKey!)))
            .Select(r => new { r.RowNumber, r.Email, r.ExternalKey })
            .ToListAsync(cancellationToken);
        var byEmail = earlier.Where(r => r.Email is not null).GroupBy(r => r.Email!).ToDictionary(g => g.Key, g => g.Min(r => r.RowNumber));
        var byKey = earlier.Where(r => r.ExternalKey is not null).GroupBy(r => r.ExternalKey!).ToDictionary(g => g.Key, g => g.Min(r => r.RowNumber));
        foreach (var row in rows.Where(r => r.IsOpen))
        {
            if (byEmail.TryGetValue(row.Email!, out var first) || (row.ExternalKey is not null && byKey.TryGetValue(row.ExternalKey, out first)))
            {
                row.Flag($"Repeats row {first} of the file.");
                continue;
            }
            byEmail[row.Email!] = row.Record.RowNumber;
            if (row.ExternalKey is not null)
            {
                byKey[row.ExternalKey] = row.Record.RowNumber;
            }
        }
    }

    /// <summary>
    /// Finds who each row is: by its primary email or its external id. Every other address of the row must be free or
    /// that person's own, as the API requires; a person matched by an earlier row is not updated twice.
    /// </summary>
    private async Task MatchAsync(ImportJob job, List<Row> rows, CancellationToken cancellationToken)
    {
        var addresses = rows.Where(r => r.IsOpen).SelectMany(r => r.Values!.Emails.Select(e => e.Address)).Distinct().ToList();
        var owners = await db.PersonEmails.AsNoTracking().Where(e => addresses.Contains(e.Address))
            .ToDictionaryAsync(e => e.Address, e => e.PersonId, cancellationToken);
        var byKey = new Dictionary<string, Guid>();
        if (job.MatchBy == ImportMatch.ExternalId)
        {
            var keys = rows.Where(r => r.IsOpen).Select(r => r.ExternalKey!).Distinct().ToList();
            byKey = await db.PersonExternalIds.AsNoTracking().Where(e => e.Source == job.ExternalIdSource && keys.Contains(e.ExternalId))
                .ToDictionaryAsync(e => e.ExternalId, e => e.PersonId, cancellationToken);
        }

        var matched = new Dictionary<Row, Guid>();
        foreach (var row in rows.Where(r => r.IsOpen))
        {
            Guid? personId = job.MatchBy == ImportMatch.Email
                ? owners.TryGetValue(row.Email!, out var owner) ? owner : null
                : byKey.TryGetValue(row.ExternalKey!, out var mapped) ? mapped : null;
            if (row.Values!.Emails.FirstOrDefault(e => owners.TryGetValue(e.Address, out var other) && other != personId) is { } taken)
            {
                row.Reject($"Another person already has the email address {taken.Address}.");
            }
            else if (personId is { } id && job.Mode == ImportMode.CreateOnly)
            {
                row.Flag($"Matches the existing person '{id}'.");
            }
            else if (personId is { } existing)
            {
                matched[row] = existing;
            }
        }

        var ids = matched.Values.Distinct().ToList();
        var people = await db.People.Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, cancellationToken);
        var updatedBefore = await db.ImportRows.AsNoTracking()
            .Where(r => r.JobId == job.Id && r.PersonId != null && ids.Contains(r.PersonId.Value))
            .Select(r => new { r.PersonId, r.RowNumber })
            .ToListAsync(cancellationToken);
        var firstRowOf = updatedBefore.GroupBy(r => r.PersonId!.Value).ToDictionary(g => g.Key, g => g.Min(r => r.RowNumber));
        foreach (var (row, id) in matched)
        {
            if (!people.TryGetValue(id, out var person))
            {
                // Outside the importer's record scope: like the API, do not say who.
                row.Reject("Another person already has this email address or external id.");
            }
            else if (firstRowOf.TryGetValue(id, out var first))
            {
                row.Flag($"Matches the same person as row {first} of the file.");
            }
            else
            {
                row.Person = person;
                firstRowOf[id] = row.Record.RowNumber;
            }
        }
    }

    /// <summary>
    /// Links rows that name their organization (<c>Firma</c>) rather than give its id: to the one organization the
    /// importer can see with that name (case-insensitive), else to a new one made once per name, as HubSpot and
    /// Salesforce imports do; the new ones are returned for their events. A name several organizations share rejects the
    /// row rather than guess: linking a person to the wrong company is worse than asking for the id.
    /// </summary>
    private async Task<List<Organization>> LinkOrganizationsAsync(List<Row> rows, CancellationToken cancellationToken)
    {
        var naming = rows.Where(r => r.IsOpen && r.Values!.OrganizationId is null && !string.IsNullOrEmpty(r.OrganizationName)).ToList();
        if (naming.Count == 0)
        {
            return [];
        }
        var names = naming.Select(r => r.OrganizationName!.ToLowerInvariant()).Distinct().ToList();
        var existing = (await db.Organizations.AsNoTracking().Where(o => names.Contains(o.Name.ToLower()))
                .Select(o => new { o.Id, o.Name }).ToListAsync(cancellationToken))
            .ToLookup(o => o.Name.ToLowerInvariant(), o => o.Id);
        var created = new Dictionary<string, Organization>();
        foreach (var row in naming)
        {
            var key = row.OrganizationName!.ToLowerInvariant();
            var found = existing[key].ToList();
            if (found.Count > 1)
            {
                row.Reject($"{ImportFields.OrganizationName}: {found.Count} organizations are called '{row.OrganizationName}'; map organizationId to say which.");
                continue;
            }
            if (row.OrganizationName!.Length > Organization.NameMaxLength)
            {
                row.Reject($"{ImportFields.OrganizationName}: at most {Organization.NameMaxLength} characters.");
                continue;
            }
            if (found.Count == 0 && !created.ContainsKey(key))
            {
                created[key] = new Organization { Name = row.OrganizationName };
                db.Organizations.Add(created[key]);
            }
            row.Values = row.Values! with { OrganizationId = found.Count == 1 ? found[0] : created[key].Id };
        }
        return [.. created.Values];
    }

    private async Task CheckOrganizationsAsync(List<Row> rows, CancellationToken cancellationToken)
    {
        var ids = rows.Where(r => r.IsOpen && r.Values!.OrganizationId is not null).Select(r => r.Values!.OrganizationId!.Value).Distinct().ToList();
        if (ids.Count == 0)
        {
            return;
        }
        var known = (await db.Organizations.AsNoTracking().Where(o => ids.Contains(o.Id)).Select(o => o.Id).ToListAsync(cancellationToken)).ToHashSet();
        foreach (var row in rows.Where(r => r.IsOpen && r.Values!.OrganizationId is { } id && !known.Contains(id)))
        {
            row.Reject($"organizationId: no organization with id '{row.Values!.OrganizationId}'.");
        }
    }

    private async Task FlagLikelyDuplicatesAsync(List<Row> rows, CancellationToken cancellationToken)
    {
        var candidates = rows.Where(r => r.IsOpen && r.Person is null).Select(r => new NewPersonCandidate(r.Record.RowNumber, r.Values!)).ToList();
        if (candidates.Count == 0)
        {
            return;
        }
        var flagged = await duplicateCheck.FindLikelyDuplicatesAsync(db, candidates, cancellationToken);
        foreach (var row in rows.Where(r => r.IsOpen && flagged.ContainsKey(r.Record.RowNumber)))
        {
            row.Flag(flagged[row.Record.RowNumber]);
        }
    }

    private void Apply(ImportJob job, List<Row> rows)
    {
        foreach (var row in rows.Where(r => r.IsOpen))
        {
            if (row.Person is { } person)
            {
                var before = job.DryRun ? null : JsonSerializer.Serialize(PersonResponse.From(person), JsonColumns.Options);
                row.Values!.ApplyTo(person);
                row.Outcome = db.Entry(person).State == EntityState.Modified ? ImportOutcome.Updated : ImportOutcome.Unchanged;
                row.Before = row.Outcome == ImportOutcome.Updated ? before : null;
                continue;
            }
            row.Person = new Person();
            row.Values!.ApplyTo(row.Person);
            db.People.Add(row.Person);
            if (row.ExternalKey is not null && job.ExternalIdSource is not null)
            {
                db.PersonExternalIds.Add(new PersonExternalId { Source = job.ExternalIdSource, ExternalId = row.ExternalKey, PersonId = row.Person.Id });
            }
            row.Outcome = ImportOutcome.Created;
        }
    }
}
