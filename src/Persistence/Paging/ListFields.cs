using System.Globalization;
using System.Linq.Expressions;
using System.Text.Json;
using System.Text.Json.Serialization;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Persistence.Paging;

/// <summary>
/// What a list can be filtered by (<c>?filter[field]=value</c>) and sorted by (<c>?sort=field</c> or
/// <c>?sort=-field</c>). Anything else is answered with 400 rather than silently ignored. Every list can be sorted by
/// <c>createdAt</c>, its default order.
/// </summary>
public sealed class ListFields<TEntity> where TEntity : class, IKeysetOrdered
{
    internal const string DefaultSort = "createdAt";

    /// <summary>How enum values are written in query strings: as the API's JSON writes them (kebab-case).</summary>
    private static readonly JsonSerializerOptions EnumValues = new() { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false) } };

    internal Dictionary<string, FilterField> Filters { get; } = [];
    internal Dictionary<string, SortField> Sorts { get; } = new() { [DefaultSort] = new SortField(Property(nameof(IKeysetOrdered.CreatedAt))) };

    /// <summary>
    /// A sort key. The next cursor takes the key of the page's last row as the database computed it, so keys may be
    /// any translatable expression (a JSON path, a rank), not only columns.
    /// </summary>
    internal sealed record SortField(LambdaExpression Key);

    /// <summary>Turns a query-string value into a predicate; null when the value is not valid for the field.</summary>
    internal sealed record FilterField(Func<string, Expression<Func<TEntity, bool>>?> Predicate);

    /// <summary>
    /// The entity's own property, not the interface's: EF translates <c>Person.CreatedAt</c> but not
    /// <c>IKeysetOrdered.CreatedAt</c>, which is what a lambda over a generic <typeparamref name="TEntity"/> would name.
    /// </summary>
    internal static LambdaExpression Property(string name)
    {
        var row = Expression.Parameter(typeof(TEntity), "row");
        return Expression.Lambda(Expression.Property(row, name), row);
    }

    /// <summary>Exact match of a field with the value converted to its type (strings, numbers, ids, booleans, dates, enums).</summary>
    /// <param name="normalize">Applied to the value first, e.g. lower-casing to match a normalized column.</param>
    public ListFields<TEntity> Filter<TValue>(string name, Expression<Func<TEntity, TValue>> field, Func<string, string>? normalize = null)
    {
        normalize ??= value => value;
        Filters[name] = new FilterField(value => TryConvert(normalize(value), typeof(TValue), out var typed)
            ? Expression.Lambda<Func<TEntity, bool>>(Expression.Equal(field.Body, Captured(typed, typeof(TValue))), field.Parameters[0])
            : null);
        return this;
    }

    /// <summary>A filter whose predicate the caller builds from the value (array membership, JSON paths); null rejects the value.</summary>
    public ListFields<TEntity> Filter(string name, Func<string, Expression<Func<TEntity, bool>>?> predicate)
    {
        Filters[name] = new FilterField(predicate);
        return this;
    }

    /// <summary>Sort keys must never be null: keyset paging compares them.</summary>
    public ListFields<TEntity> Sort<TValue>(string name, Expression<Func<TEntity, TValue>> key) where TValue : notnull
    {
        Sorts[name] = new SortField(key);
        return this;
    }

    /// <summary>What the OpenAPI document says this list takes (see <see cref="ListFieldsEndpoints.Lists{TBuilder, TEntity}"/>).</summary>
    public ListParameters Parameters() =>
        new([.. Filters.Keys.Order(StringComparer.Ordinal)], [.. Sorts.Keys.Order(StringComparer.Ordinal)], ListQuery<TEntity>.DefaultLimit, ListQuery<TEntity>.MaxLimit);

    /// <summary>A copy to add fields known only at request time (a tenant's custom fields) without touching this one.</summary>
    public ListFields<TEntity> Copy()
    {
        var copy = new ListFields<TEntity>();
        foreach (var (name, filter) in Filters)
        {
            copy.Filters[name] = filter;
        }
        foreach (var (name, sort) in Sorts)
        {
            copy.Sorts[name] = sort;
        }
        return copy;
    }

    /// <summary>A captured value rather than a constant, so EF sends it as a SQL parameter and reuses the query plan.</summary>
    internal static Expression Captured(object value, Type type)
    {
        var holder = Activator.CreateInstance(typeof(CapturedValue<>).MakeGenericType(type), value)!;
        return Expression.Property(Expression.Constant(holder), "Value");
    }

    internal static bool TryConvert(string value, Type type, out object typed)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        object? result = target switch
        {
            _ when target == typeof(string) => value,
            _ when target == typeof(Guid) => Guid.TryParse(value, out var guid) ? guid : null,
            _ when target == typeof(int) => int.TryParse(value, CultureInfo.InvariantCulture, out var number) ? number : null,
            _ when target == typeof(decimal) => decimal.TryParse(value, CultureInfo.InvariantCulture, out var amount) ? amount : null,
            _ when target == typeof(bool) => bool.TryParse(value, out var flag) ? flag : null,
            _ when target == typeof(DateOnly) => DateOnly.TryParse(value, CultureInfo.InvariantCulture, out var date) ? date : null,
            _ when target.IsEnum => ParseEnum(value, target),
            _ => null,
        };
        typed = result!;
        return result is not null;
    }

    private static object? ParseEnum(string value, Type type)
    {
        try
        {
            return JsonSerializer.Deserialize(JsonSerializer.Serialize(value), type, EnumValues);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Holds a list query's value so that EF sees a captured variable (a SQL parameter), not a constant.</summary>
internal sealed record CapturedValue<T>(T Value);
