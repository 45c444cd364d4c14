using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Data;

/// <summary>
/// Custom field values in queries: <c>filter[custom.key]=</c> and <c>sort=custom.key</c> on the <c>custom_fields</c>
/// jsonb column (<c>custom_fields -&gt;&gt; 'key'</c>, containment for multi-choice, which the GIN index answers).
/// </summary>
public static class CustomFieldQueries
{
    public const string Prefix = "custom.";

    private static readonly MethodInfo GetProperty = typeof(JsonElement).GetMethod(nameof(JsonElement.GetProperty), [typeof(string)])!;
    private static readonly MethodInfo GetString = typeof(JsonElement).GetMethod(nameof(JsonElement.GetString))!;
    private static readonly MethodInfo GetDecimal = typeof(JsonElement).GetMethod(nameof(JsonElement.GetDecimal))!;
    private static readonly MethodInfo GetBoolean = typeof(JsonElement).GetMethod(nameof(JsonElement.GetBoolean))!;
    private static readonly MethodInfo JsonContains = typeof(NpgsqlJsonDbFunctionsExtensions)
        .GetMethod(nameof(NpgsqlJsonDbFunctionsExtensions.JsonContains), [typeof(DbFunctions), typeof(object), typeof(object)])!;

    /// <summary>The tenant's definitions for one kind of record.</summary>
    public static Task<List<CustomFieldDefinition>> CustomFieldsOfAsync(this ContactsDbContext db, CustomFieldEntity entity, CancellationToken cancellationToken) =>
        db.CustomFieldDefinitions.AsNoTracking().Where(d => d.Entity == entity).ToListAsync(cancellationToken);

    /// <summary>Whether a list request names custom fields, so their definitions are only read when needed.</summary>
    public static bool NamesCustomFields(IQueryCollection query) =>
        query.Keys.Any(key => key.StartsWith("filter[" + Prefix, StringComparison.Ordinal))
        || query["sort"].ToString().TrimStart('-').StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>
    /// A copy of <paramref name="fields"/> with every definition as a filter and, except multi-choice, a sort. Records
    /// without a value sort first: as the empty text, or as a number below all others.
    /// </summary>
    public static ListFields<TEntity> WithCustomFields<TEntity>(this ListFields<TEntity> fields, IEnumerable<CustomFieldDefinition> definitions)
        where TEntity : class, IKeysetOrdered
    {
        var copy = fields.Copy();
        foreach (var definition in definitions)
        {
            var name = Prefix + definition.Key;
            var key = definition.Key;
            switch (definition.Type)
            {
                case CustomFieldType.Number:
                    copy.Filter(name, value => decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var number)
                        ? Equal<TEntity, decimal>(Read<TEntity, decimal>(key, GetDecimal), number) : null);
                    // As double precision, so that records without a value can sort as -Infinity, below every number
                    // (no decimal is below all the others, and Npgsql cannot read decimal.MinValue back from numeric).
                    copy.Sort(name, Lambda<TEntity, double>(row => Expression.Coalesce(
                        Expression.Convert(Expression.Convert(Read(row, key, GetDecimal), typeof(double)), typeof(double?)),
                        Expression.Constant(double.NegativeInfinity))));
                    break;
                case CustomFieldType.Boolean:
                    copy.Filter(name, value => bool.TryParse(value, out var flag) ? Equal<TEntity, bool>(Read<TEntity, bool>(key, GetBoolean), flag) : null);
                    copy.Sort(name, TextKey<TEntity>(key));
                    break;
                case CustomFieldType.MultiChoice:
                    copy.Filter(name, value => definition.Normalize(JsonSerializer.SerializeToElement(new[] { value }), out _) is { } choice
                        ? Contains<TEntity>(JsonDocument.Parse(new JsonObject { [key] = choice }.ToJsonString()))
                        : null);
                    break;
                default:
                    // Text, dates (yyyy-MM-dd sorts as text) and single choices, matched as stored.
                    copy.Filter(name, value => definition.Normalize(JsonSerializer.SerializeToElement(value), out _) is { } normalized
                        ? Equal<TEntity, string>(Read<TEntity, string>(key, GetString), normalized.GetValue<string>())
                        : null);
                    copy.Sort(name, TextKey<TEntity>(key));
                    break;
            }
        }
        return copy;
    }

    private static Expression<Func<TEntity, string>> TextKey<TEntity>(string key) =>
        Lambda<TEntity, string>(row => Expression.Coalesce(Read(row, key, GetString), Expression.Constant("")));

    /// <summary><c>row.CustomFields.RootElement.GetProperty(key).Get…()</c>, which Npgsql translates to <c>custom_fields -&gt;&gt; key</c>.</summary>
    private static Expression Read(ParameterExpression row, string key, MethodInfo getter)
    {
        var root = Expression.Property(Expression.Property(row, nameof(Person.CustomFields)), nameof(JsonDocument.RootElement));
        return Expression.Call(Expression.Call(root, GetProperty, Captured(key)), getter);
    }

    private static Expression<Func<TEntity, TValue>> Read<TEntity, TValue>(string key, MethodInfo getter) =>
        Lambda<TEntity, TValue>(row => Read(row, key, getter));

    private static Expression<Func<TEntity, TValue>> Lambda<TEntity, TValue>(Func<ParameterExpression, Expression> body)
    {
        var row = Expression.Parameter(typeof(TEntity), "row");
        return Expression.Lambda<Func<TEntity, TValue>>(body(row), row);
    }

    private static Expression<Func<TEntity, bool>> Equal<TEntity, TValue>(Expression<Func<TEntity, TValue>> read, TValue value) =>
        Expression.Lambda<Func<TEntity, bool>>(Expression.Equal(read.Body, Captured(value)), read.Parameters);

    /// <summary>A document rather than a string, so the parameter goes to PostgreSQL as jsonb (<c>jsonb @&gt; text</c> does not exist).</summary>
    private static Expression<Func<TEntity, bool>> Contains<TEntity>(JsonDocument json) => Lambda<TEntity, bool>(row => Expression.Call(
        JsonContains, Expression.Constant(EF.Functions),
        Expression.Convert(Expression.Property(row, nameof(Person.CustomFields)), typeof(object)),
        Expression.Convert(Captured(json), typeof(object))));

    /// <summary>A value EF sends as a parameter rather than inlining it.</summary>
    private static MemberExpression Captured<T>(T value) => Expression.Property(Expression.Constant(new Box<T>(value)), nameof(Box<T>.Value));

    private sealed record Box<T>(T Value);
}
