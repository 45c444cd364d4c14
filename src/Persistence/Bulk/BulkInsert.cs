using System.Text.RegularExpressions;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace CrmPlatform.Persistence.Bulk;

/// <summary>
/// Writes the rows a unit of work added with binary COPY instead of one INSERT each, for work that adds thousands
/// (an import batch, an SLA sweep's events): the entities, stamped, plus the audit entries SaveChanges would have
/// written for them. Columns, names and value conversions come from the EF model, so the rows are exactly what
/// SaveChanges would insert; an identity column is left to the database. The entries are detached afterwards, and
/// SaveChanges then writes the rest (updates, the odd row of another type) in the same transaction. Hand-written
/// because the bulk libraries served here either fail to restore or bring a second data-access stack for one COPY.
/// </summary>
public static partial class BulkInsert
{
    /// <summary>
    /// The added entities of <paramref name="types"/>, type by type in that order (parents before the rows that refer
    /// to them), then their audit entries. Rows added to the outbox this way do not wake its dispatcher: the caller
    /// notifies <see cref="Outbox.OutboxSignal"/> once its transaction has committed.
    /// </summary>
    public static async Task<int> WriteAddedAsync(TenantDbContext db, IReadOnlyList<Type> types, DateTime now, CancellationToken cancellationToken)
    {
        db.Stamp();
        var added = db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added && types.Contains(e.Metadata.ClrType)).ToList();
        var audit = AuditLog.EntriesFor(added.Where(e => e.Entity is Entity).Select(e => db.Entry((Entity)e.Entity)), db.CurrentActorId ?? "system", now);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        foreach (var type in types)
        {
            var rows = added.Where(e => e.Metadata.ClrType == type).Select(e => (Func<IProperty, object?>)(p => e.Property(p.Name).CurrentValue));
            await CopyAsync(connection, db.Model.FindEntityType(type)!, rows.ToList(), cancellationToken);
        }
        if (audit.Count > 0)
        {
            await CopyAsync(connection, db.Model.FindEntityType(typeof(AuditEntry))!, [.. audit.Select(a => (Func<IProperty, object?>)(p => p.PropertyInfo!.GetValue(a)))], cancellationToken);
        }
        foreach (var entry in added)
        {
            entry.State = EntityState.Detached;
        }
        return added.Count;
    }

    private static async Task CopyAsync(NpgsqlConnection connection, IEntityType entityType, List<Func<IProperty, object?>> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        var columns = entityType.GetProperties()
            .Where(p => p.GetComputedColumnSql() is null && p.GetValueGenerationStrategy(table) != NpgsqlValueGenerationStrategy.IdentityAlwaysColumn)
            .Select(p => (Property: p, Name: p.GetColumnName(table)!, Type: Modifiers().Replace(p.GetColumnType(table), ""), Converter: p.GetTypeMapping().Converter))
            .ToList();
        await using var copy = await connection.BeginBinaryImportAsync(
            $"COPY {table.Name} ({string.Join(", ", columns.Select(c => c.Name))}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var row in rows)
        {
            await copy.StartRowAsync(cancellationToken);
            foreach (var column in columns)
            {
                var value = row(column.Property);
                if (value is not null && column.Converter is not null)
                {
                    value = column.Converter.ConvertToProvider(value);
                }
                if (value is null)
                {
                    await copy.WriteNullAsync(cancellationToken);
                }
                else
                {
                    await copy.WriteAsync(value, column.Type, cancellationToken);
                }
            }
        }
        await copy.CompleteAsync(cancellationToken);
    }

    /// <summary><c>character varying(100)</c> is written as <c>character varying</c>.</summary>
    [GeneratedRegex(@"\(\d+(,\s*\d+)?\)")]
    private static partial Regex Modifiers();
}
