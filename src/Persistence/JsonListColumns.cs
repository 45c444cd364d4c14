using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CrmPlatform.Persistence;

/// <summary>
/// Lists of value objects (a person's emails, a pipeline's stages) kept in one jsonb column each: they are read and
/// written with their record, never on their own, and an audit entry shows the whole list before and after.
/// </summary>
public static class JsonListColumns
{
    /// <summary>As the APIs write them: camelCase names, enums in kebab case.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>Two lists are the same when their items are, in order, so rewriting an unchanged list is no change.</summary>
    public static PropertyBuilder<IReadOnlyList<T>> HasJsonColumn<T>(this PropertyBuilder<IReadOnlyList<T>> property) =>
        property.HasColumnType("jsonb").HasDefaultValueSql("'[]'::jsonb").HasConversion(
            list => JsonSerializer.Serialize(list, Options),
            json => JsonSerializer.Deserialize<List<T>>(json, Options) ?? new List<T>(),
            new ValueComparer<IReadOnlyList<T>>(
                (left, right) => left!.SequenceEqual(right!),
                list => list.Aggregate(0, (hash, item) => HashCode.Combine(hash, item)),
                list => list.ToList()));
}
