using System.Text.RegularExpressions;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Persistence.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace CrmPlatform.Contacts.Imports;

/// <summary>
/// Writes the rows an import batch added with binary COPY instead of one INSERT each: the entities, stamped and with
/// their events queued as usual, plus the audit entries SaveChanges would have written for them. Columns, names and
/// value conversions come from the EF model, so the rows are exactly what SaveChanges would insert. The entries are
/// detached afterwards; SaveChanges then writes the rest (updates, the job) in the same transaction.
/// </summary>
internal static partial class BulkInsert
{
    /// <summary>In foreign-key order: people before their external ids.</summary>
    private static readonly Type[] Order = [typeof(Model.Person), typeof(Model.PersonExternalId), typeof(Persistence.Outbox.OutboxMessage), typeof(AuditEntry), typeof(ImportRow)];

    public static async Task<int> WriteAddedAsync(ContactsDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        db.Stamp();
        var added = db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added && Order.Contains(e.Metadata.ClrType)).ToList();
        var audit = AuditLog.EntriesFor(db.ChangeTracker, db.CurrentActorId ?? "system", now).Where(e => e.Action == "created").ToList();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        foreach (var type in Order)
        {
            var entityType = db.Model.FindEntityType(type)!;
            var rows = type == typeof(AuditEntry)
                ? audit.Select(a => (Func<IProperty, object?>)(p => p.PropertyInfo!.GetValue(a)))
                : added.Where(e => e.Metadata.ClrType == type).Select(e => (Func<IProperty, object?>)(p => e.Property(p.Name).CurrentValue));
            await CopyAsync(connection, entityType, rows.ToList(), cancellationToken);
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
            .Where(p => p.GetComputedColumnSql() is null && p.GetValueGenerationStrategy(table) != Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityAlwaysColumn)
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
