using CrmPlatform.Persistence.Imports;
using System.Data;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Contacts.Settings;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Bulk;
using CrmPlatform.Persistence.Outbox;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CrmPlatform.Contacts.Imports;

/// <summary>Wakes the worker when a job is queued, so it need not wait for its next poll.</summary>
public sealed class ImportSignal : WakeSignal;

/// <summary>
/// One worker per Contacts instance: takes the oldest queued job of any tenant (<c>FOR UPDATE SKIP LOCKED</c>, so
/// instances never take the same one) and runs it as the tenant and user who uploaded it, one batch per transaction.
/// Each batch commits its people, events, audit, report rows and the job's progress together, so a job whose worker
/// died is taken over after <see cref="StaleAfter"/> and resumes after its last committed row.
/// </summary>
internal sealed class ImportWorker(IServiceScopeFactory scopes, ImportFiles files, ImportSignal signal, OutboxSignal outbox, TimeProvider clock,
    IConfiguration configuration, ILogger<ImportWorker> logger) : BackgroundService
{
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

    /// <summary>What a batch adds by COPY, in foreign-key order (people before their external ids); the rest by SaveChanges.</summary>
    private static readonly Type[] BulkWritten = [typeof(Organization), typeof(Person), typeof(PersonExternalId), typeof(OutboxMessage), typeof(ImportRow)];

    /// <summary><c>Imports:BatchSize</c>: rows per transaction.</summary>
    private readonly int _batchSize = configuration.GetValue<int?>("Imports:BatchSize") ?? 1000;

    private sealed record Claimed(Guid Id, Guid TenantId, string? ActorId, bool SeesWholeTenant, ImportStatus Status);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await ClaimAsync(stoppingToken) is { } job)
                {
                    await WorkAsync(job, stoppingToken);
                    continue;
                }
                await signal.WaitAsync(TimeSpan.FromSeconds(2), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Import worker could not take a job; trying again shortly.");
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }

    private async Task<Claimed?> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ContactsDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            UPDATE import_jobs SET
                status = CASE WHEN status IN ('queued', 'running') THEN 'running' ELSE 'reverting' END,
                heartbeat_at = @now, version = version + 1
            WHERE id = (
                SELECT id FROM import_jobs
                WHERE status IN ('queued', 'revert-queued') OR (status IN ('running', 'reverting') AND heartbeat_at < @stale)
                ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id, tenant_id, created_by, creator_sees_whole_tenant, status
            """, connection);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("stale", now - StaleAfter);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new Claimed(reader.GetGuid(0), reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetBoolean(3),
            KindNames.Parse<ImportStatus>(reader.GetString(4)));
    }

    private async Task WorkAsync(Claimed job, CancellationToken cancellationToken)
    {
        try
        {
            if (job.Status == ImportStatus.Reverting)
            {
                await RevertAsync(job, cancellationToken);
            }
            else
            {
                await RunAsync(job, cancellationToken);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogError(ex, "Import {JobId} failed.", job.Id);
            await InScopeAsync(job, async (db, _) =>
            {
                var failed = await db.ImportJobs.SingleAsync(j => j.Id == job.Id, cancellationToken);
                failed.Status = ImportStatus.Failed;
                failed.Error = ex is DbUpdateException or PostgresException or InvalidDataException or CsvHelper.CsvHelperException
                    ? ex.GetBaseException().Message : "The import stopped on an unexpected error; see the service's log.";
                failed.FinishedAt = clock.GetUtcNow().UtcDateTime;
                await db.SaveChangesAsync(cancellationToken);
                if (job.Status != ImportStatus.Reverting)
                {
                    DeleteFileAfterRun(failed);
                }
            });
        }
    }

    private async Task RunAsync(Claimed claimed, CancellationToken cancellationToken)
    {
        ImportJob job = null!;
        List<CustomFieldDefinition> customFields = null!;
        await InScopeAsync(claimed, async (db, _) =>
        {
            job = await db.ImportJobs.SingleAsync(j => j.Id == claimed.Id, cancellationToken);
            customFields = await db.CustomFieldsOfAsync(CustomFieldEntity.Person, cancellationToken);
            // Decided once per run, so every batch (and a resumed run) assumes the same.
            job.AppliedDefaultCountry = job.ProcessedRows == 0
                ? job.DefaultCountry ?? await ContactSettings.DefaultCountryAsync(db, cancellationToken)
                : job.AppliedDefaultCountry;
            job.TotalRows ??= files.Read(job.Id, job.Format, job.Dialect).Count();
            job.StartedAt ??= clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(cancellationToken);
        });

        foreach (var batch in files.Read(job.Id, job.Format, job.Dialect).Where(r => r.RowNumber > job.ProcessedRows).Chunk(_batchSize))
        {
            if (!await ImportBatchAsync(claimed, batch, customFields, cancellationToken))
            {
                DeleteFileAfterRun(job);
                return;
            }
        }
        await InScopeAsync(claimed, async (db, _) =>
        {
            var done = await db.ImportJobs.SingleAsync(j => j.Id == claimed.Id, cancellationToken);
            if (done.Status == ImportStatus.Running)
            {
                done.Status = ImportStatus.Completed;
                done.FinishedAt = clock.GetUtcNow().UtcDateTime;
                await db.SaveChangesAsync(cancellationToken);
            }
        });
        DeleteFileAfterRun(job);
    }

    /// <summary>A real run reads the file once; its report and revert need only the rows it kept. A dry run leaves it for the run.</summary>
    private void DeleteFileAfterRun(ImportJob job)
    {
        if (!job.DryRun)
        {
            files.Delete(job.Id);
        }
    }

    /// <summary>
    /// One transaction. When a write racing the import takes an address or edits a person the batch holds, the batch
    /// is retried row by row, and a row that still fails alone is rejected. False when the job was cancelled.
    /// </summary>
    private async Task<bool> ImportBatchAsync(Claimed claimed, IReadOnlyList<ImportRecord> batch, List<CustomFieldDefinition> customFields,
        CancellationToken cancellationToken)
    {
        var stillRunning = true;
        try
        {
            await InScopeAsync(claimed, async (db, services) =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
                var job = await db.ImportJobs.SingleAsync(j => j.Id == claimed.Id, cancellationToken);
                if (job.Status != ImportStatus.Running)
                {
                    stillRunning = false;
                    return;
                }
                var timer = System.Diagnostics.Stopwatch.StartNew();
                await services.GetRequiredService<PersonImporter>().ImportAsync(job, batch, customFields, cancellationToken);
                var prepared = timer.ElapsedMilliseconds;
                job.HeartbeatAt = clock.GetUtcNow().UtcDateTime;
                await BulkInsert.WriteAddedAsync(db, BulkWritten, job.HeartbeatAt.Value, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                var saved = timer.ElapsedMilliseconds;
                await transaction.CommitAsync(cancellationToken);
                outbox.Notify();
                logger.LogDebug("Import batch of {Rows} rows: prepared in {Prepared} ms, written in {Saved} ms, committed in {Commit} ms", batch.Count, prepared, saved - prepared, timer.ElapsedMilliseconds - saved);
            });
        }
        catch (Exception ex) when (RacedWith(ex) is not null)
        {
            if (batch.Count > 1)
            {
                foreach (var record in batch)
                {
                    if (!await ImportBatchAsync(claimed, [record], customFields, cancellationToken))
                    {
                        return false;
                    }
                }
                return true;
            }
            await InScopeAsync(claimed, async (db, services) =>
            {
                var job = await db.ImportJobs.SingleAsync(j => j.Id == claimed.Id, cancellationToken);
                services.GetRequiredService<PersonImporter>().Reject(job, batch[0],
                    RacedWith(ex) == PostgresErrorCodes.ForeignKeyViolation ? "The organization was deleted while the import ran."
                        : "Another write changed this person or took one of these addresses while the import ran.");
                await db.SaveChangesAsync(cancellationToken);
            });
        }
        return stillRunning;
    }

    /// <summary>What another write did to a batch: took a unique value, deleted a referenced row, or changed a person (its SQL state).</summary>
    private static string? RacedWith(Exception ex) => ex switch
    {
        DbUpdateConcurrencyException => "concurrency",
        DbUpdateException { InnerException: PostgresException inner } => RacedWith(inner),
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.ForeignKeyViolation } postgres => postgres.SqlState,
        _ => null,
    };

    private async Task RevertAsync(Claimed claimed, CancellationToken cancellationToken)
    {
        while (true)
        {
            var more = false;
            await InScopeAsync(claimed, async (db, _) =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var job = await db.ImportJobs.SingleAsync(j => j.Id == claimed.Id, cancellationToken);
                more = await ImportRevert.RevertBatchAsync(db, job, _batchSize, clock.GetUtcNow().UtcDateTime, cancellationToken);
                job.HeartbeatAt = clock.GetUtcNow().UtcDateTime;
                if (!more)
                {
                    job.Status = ImportStatus.Reverted;
                    job.FinishedAt = job.HeartbeatAt;
                }
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            });
            if (!more)
            {
                return;
            }
        }
    }

    /// <summary>A scope acting as the job's tenant and uploader, as a request of theirs would.</summary>
    private async Task InScopeAsync(Claimed job, Func<ContactsDbContext, IServiceProvider, Task> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        var tenant = scope.ServiceProvider.GetRequiredService<TenantContext>();
        (tenant.TenantId, tenant.ActorId, tenant.SeesWholeTenant) = (job.TenantId, job.ActorId, job.SeesWholeTenant);
        await work(scope.ServiceProvider.GetRequiredService<ContactsDbContext>(), scope.ServiceProvider);
    }
}
