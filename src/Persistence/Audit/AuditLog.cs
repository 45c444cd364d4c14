using System.Text.Json;
using System.Text.Json.Serialization;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace CrmPlatform.Persistence.Audit;

/// <summary>Turns the tracked changes of audited records into audit entries, saved in the same transaction.</summary>
public static class AuditLog
{
    /// <summary>Bookkeeping every record has; the audit shows what people changed.</summary>
    private static readonly HashSet<string> Bookkeeping =
    [
        nameof(Entity.Id), nameof(Entity.TenantId), nameof(Entity.CreatedAt), nameof(Entity.UpdatedAt), nameof(Entity.Version),
        nameof(AuditedEntity.CreatedBy), nameof(AuditedEntity.UpdatedBy),
    ];

    /// <summary>Enums by name, as the APIs write them, whether the column keeps a number or a name.</summary>
    private static readonly JsonSerializerOptions ChangesJson = new() { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) } };

    public static List<AuditEntry> EntriesFor(ChangeTracker changes, string actorId, DateTime now) => EntriesFor(changes.Entries<Entity>(), actorId, now);

    public static List<AuditEntry> EntriesFor(IEnumerable<EntityEntry<Entity>> entries, string actorId, DateTime now) =>
        entries
            .Where(entry => entry.Entity is IAudited && entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            .Select(entry => new AuditEntry
            {
                TenantId = entry.Entity.TenantId,
                CreatedAt = now,
                EntityType = EntityTypeName(entry.Entity.GetType()),
                EntityId = entry.Entity.Id,
                Action = entry.State switch
                {
                    EntityState.Added => "created",
                    EntityState.Deleted => "deleted",
                    _ => "updated",
                },
                ActorId = actorId,
                Changes = JsonSerializer.Serialize(ChangedFields(entry), ChangesJson),
            })
            .Where(entry => entry.Action != "updated" || entry.Changes != "{}")
            .ToList();

    public static string EntityTypeName(Type type) => JsonNamingPolicy.CamelCase.ConvertName(type.Name);

    private static bool Has<TAttribute>(PropertyEntry property) where TAttribute : Attribute =>
        property.Metadata.PropertyInfo?.IsDefined(typeof(TAttribute), inherit: true) == true;

    /// <summary>
    /// A value as the database keeps it: through the property's value converter (a list of addresses kept as JSON), and
    /// a JSON column as JSON rather than as a string that holds JSON.
    /// </summary>
    private static object? Stored(PropertyEntry property, object? value)
    {
        if (value is null or Enum)
        {
            return value;
        }
        var stored = property.Metadata.GetValueConverter() is { } converter ? converter.ConvertToProvider(value) : value;
        return stored is string json && property.Metadata.GetColumnType() == "jsonb" ? JsonDocument.Parse(json).RootElement.Clone() : stored;
    }

    private static Dictionary<string, object?> ChangedFields(EntityEntry entry)
    {
        var fields = new Dictionary<string, object?>();
        foreach (var property in entry.Properties.Where(p => !Bookkeeping.Contains(p.Metadata.Name) && !Has<AuditIgnoredAttribute>(p)))
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(property.Metadata.Name);
            if (Has<AuditRedactedAttribute>(property))
            {
                if (entry.State != EntityState.Modified || (property.IsModified && !Equals(property.OriginalValue, property.CurrentValue)))
                {
                    fields[name] = new { from = "***", to = "***" };
                }
                continue;
            }
            switch (entry.State)
            {
                case EntityState.Added when property.CurrentValue is not null:
                    fields[name] = new { from = (object?)null, to = Stored(property, property.CurrentValue) };
                    break;
                case EntityState.Deleted when property.OriginalValue is not null:
                    fields[name] = new { from = Stored(property, property.OriginalValue), to = (object?)null };
                    break;
                case EntityState.Modified when property.IsModified && !Equals(property.OriginalValue, property.CurrentValue):
                    fields[name] = new { from = Stored(property, property.OriginalValue), to = Stored(property, property.CurrentValue) };
                    break;
            }
        }
        return fields;
    }
}
