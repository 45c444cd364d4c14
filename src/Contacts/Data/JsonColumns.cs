using System.Text.Json;
using CrmPlatform.Contacts.Model;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CrmPlatform.Contacts.Data;

/// <summary>
/// Lists of value objects (a person's emails, phones, addresses) kept in one jsonb column each: they are read and
/// written with their record, never on their own, and the search columns index them in the database.
/// </summary>
internal static class JsonColumns
{
    /// <summary>As the API writes them: camelCase names, enums in kebab case.</summary>
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

    /// <summary>An enum kept by its API name (<c>sms</c>), so the column reads like the API.</summary>
    public static PropertyBuilder<TEnum?> HasNameColumn<TEnum>(this PropertyBuilder<TEnum?> property) where TEnum : struct, Enum =>
        property.HasMaxLength(30).HasConversion(
            value => KindNames.Of(value!.Value),
            name => KindNames.Parse<TEnum>(name));
}
