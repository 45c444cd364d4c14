using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Persistence.Paging;

/// <summary>
/// A validated list request: limit, filters, sort and cursor. Pages are keyset pages on (sort key, id), so rows added
/// while a client walks the list never shift what it has not seen yet. The cursor is opaque and remembers the sort it
/// was made for: using it with another sort is a 400.
/// </summary>
public sealed class ListQuery<TEntity> where TEntity : class, IKeysetOrdered
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    private static readonly MethodInfo CreateTuple = typeof(ValueTuple).GetMethods()
        .Single(m => m.Name == nameof(ValueTuple.Create) && m.GetGenericArguments().Length == 2);

    private static readonly MethodInfo OrderBy = QueryableMethod(nameof(Queryable.OrderBy));
    private static readonly MethodInfo OrderByDescending = QueryableMethod(nameof(Queryable.OrderByDescending));
    private static readonly MethodInfo ThenBy = QueryableMethod(nameof(Queryable.ThenBy));
    private static readonly MethodInfo ThenByDescending = QueryableMethod(nameof(Queryable.ThenByDescending));

    private static readonly ListFields<TEntity> DefaultOrderOnly = new();

    private readonly List<Expression<Func<TEntity, bool>>> _filters = [];
    private ListFields<TEntity>.SortField _sort = null!;
    private string _sortName = ListFields<TEntity>.DefaultSort;
    private bool _descending;
    private (object Value, Guid Id)? _after;

    public int Limit { get; private set; } = DefaultLimit;

    /// <param name="defaultSort">The order without <c>?sort=</c> (<c>-relevance</c> for a search); <c>createdAt</c> unless given.</param>
    public static bool TryParse(
        IQueryCollection query, ListFields<TEntity> fields, out ListQuery<TEntity> list, out FieldErrors errors, string? defaultSort = null)
    {
        list = new ListQuery<TEntity>();
        errors = new FieldErrors();
        list.ParseLimit(query["limit"], errors);
        list.ParseSort(query["sort"].Count == 0 ? defaultSort : query["sort"].ToString(), fields, errors);
        foreach (var (key, value) in query.Where(q => q.Key.StartsWith("filter[", StringComparison.Ordinal)))
        {
            list.ParseFilter(key, value.ToString(), fields, errors);
        }
        list.ParseCursor(query["cursor"], errors);
        return errors.IsValid;
    }

    /// <summary>Only <c>limit</c> and <c>cursor</c>, in the default order; for lists without filters or sorts.</summary>
    public static bool TryParse(int? limit, string? cursor, out ListQuery<TEntity> list, out FieldErrors errors)
    {
        var query = new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>();
        if (limit is not null)
        {
            query["limit"] = limit.Value.ToString(CultureInfo.InvariantCulture);
        }
        if (cursor is not null)
        {
            query["cursor"] = cursor;
        }
        return TryParse(new QueryCollection(query), DefaultOrderOnly, out list, out errors);
    }

    /// <summary>Whether the list is in this order (<paramref name="name"/> without the minus).</summary>
    public bool IsSortedBy(string name, bool descending) => _sortName == name && _descending == descending;

    public async Task<CursorPage<TResult>> ToPageAsync<TResult>(
        IQueryable<TEntity> source, Func<TEntity, TResult> project, CancellationToken cancellationToken) =>
        Page(await Apply(source).Take(Limit + 1).Select(WithSortKey()).ToListAsync(cancellationToken), project);

    /// <summary>
    /// A page from tiers of one list whose every row sorts before every row of the next tier (a search's relevance
    /// tiers, in relevance order): the later tiers are asked only while the page is not full. The cursor holds across
    /// tiers, since it compares the one sort key.
    /// </summary>
    public async Task<CursorPage<TResult>> ToPageAsync<TResult>(
        IEnumerable<IQueryable<TEntity>> tiers, Func<TEntity, TResult> project, CancellationToken cancellationToken)
    {
        var rows = new List<KeyedRow<TEntity>>();
        foreach (var tier in tiers)
        {
            rows.AddRange(await Apply(tier).Take(Limit + 1 - rows.Count).Select(WithSortKey()).ToListAsync(cancellationToken));
            if (rows.Count > Limit)
            {
                break;
            }
        }
        return Page(rows, project);
    }

    private CursorPage<TResult> Page<TResult>(List<KeyedRow<TEntity>> rows, Func<TEntity, TResult> project)
    {
        var hasMore = rows.Count > Limit;
        if (hasMore)
        {
            rows.RemoveAt(rows.Count - 1);
        }
        var next = hasMore ? EncodeCursor(rows[^1].SortKey, rows[^1].Row.Id) : null;
        return new CursorPage<TResult>(rows.Select(row => project(row.Row)).ToList(), next);
    }

    /// <summary>Every row the list would page through, filtered and in its order, from the cursor on if one was given; for exports.</summary>
    public IQueryable<TEntity> Apply(IQueryable<TEntity> source)
    {
        foreach (var filter in _filters)
        {
            source = source.Where(filter);
        }
        if (_after is { } after)
        {
            source = source.Where(AfterCursor(after.Value, after.Id));
        }
        return Order(source);
    }

    /// <summary><c>row =&gt; new KeyedRow(row, (object)key)</c>: the cursor is made of the key as the database computed it.</summary>
    private Expression<Func<TEntity, KeyedRow<TEntity>>> WithSortKey()
    {
        var row = _sort.Key.Parameters[0];
        var constructor = typeof(KeyedRow<TEntity>).GetConstructor([typeof(TEntity), typeof(object)])!;
        return Expression.Lambda<Func<TEntity, KeyedRow<TEntity>>>(
            Expression.New(constructor, row, Expression.Convert(_sort.Key.Body, typeof(object))), row);
    }

    private void ParseLimit(string? value, FieldErrors errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit is < 1 or > MaxLimit)
        {
            errors.Add("limit", $"limit must be a number from 1 to {MaxLimit}.");
            return;
        }
        Limit = limit;
    }

    private void ParseSort(string? value, ListFields<TEntity> fields, FieldErrors errors)
    {
        var name = value ?? ListFields<TEntity>.DefaultSort;
        _descending = name.StartsWith('-');
        name = name.TrimStart('-');
        if (!fields.Sorts.TryGetValue(name, out var sort))
        {
            errors.Add("sort", $"Cannot sort by '{name}'; sortable fields: {string.Join(", ", fields.Sorts.Keys)} (prefix - for descending).");
            sort = fields.Sorts[ListFields<TEntity>.DefaultSort];
        }
        _sortName = name;
        _sort = sort;
    }

    private void ParseFilter(string parameter, string value, ListFields<TEntity> fields, FieldErrors errors)
    {
        var name = parameter["filter[".Length..].TrimEnd(']');
        if (!parameter.EndsWith(']') || !fields.Filters.TryGetValue(name, out var field))
        {
            errors.Add(parameter, $"Cannot filter by '{name}'; filterable fields: {string.Join(", ", fields.Filters.Keys)}.");
            return;
        }
        if (field.Predicate(value) is not { } predicate)
        {
            errors.Add(parameter, $"'{value}' is not a valid value for {name}.");
            return;
        }
        _filters.Add(predicate);
    }

    private void ParseCursor(string? cursor, FieldErrors errors)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return;
        }
        try
        {
            var decoded = JsonSerializer.Deserialize<Cursor>(WebEncoders.Base64UrlDecode(cursor));
            if (decoded is null || decoded.Sort != _sortName || decoded.Descending != _descending)
            {
                errors.Add("cursor", "This cursor belongs to another sort order; start again without a cursor.");
                return;
            }
            _after = (decoded.Value.Deserialize(_sort.Key.ReturnType, CursorJson)!, decoded.Id);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or NotSupportedException or ArgumentException)
        {
            errors.Add("cursor", "cursor is not one this API issued.");
        }
    }

    private IQueryable<TEntity> Order(IQueryable<TEntity> source)
    {
        var orderBy = (_descending ? OrderByDescending : OrderBy).MakeGenericMethod(typeof(TEntity), _sort.Key.ReturnType);
        var thenBy = (_descending ? ThenByDescending : ThenBy).MakeGenericMethod(typeof(TEntity), typeof(Guid));
        var ordered = orderBy.Invoke(null, [source, _sort.Key]);
        return (IQueryable<TEntity>)thenBy.Invoke(null, [ordered, ListFields<TEntity>.Property(nameof(IKeysetOrdered.Id))])!;
    }

    /// <summary>(key, id) &gt; (cursor key, cursor id) as one row comparison, which PostgreSQL answers from the index.</summary>
    private Expression<Func<TEntity, bool>> AfterCursor(object value, Guid id)
    {
        var row = _sort.Key.Parameters[0];
        var create = CreateTuple.MakeGenericMethod(_sort.Key.ReturnType, typeof(Guid));
        var rowKey = Expression.Convert(Expression.Call(create, _sort.Key.Body, Expression.Property(row, nameof(IKeysetOrdered.Id))), typeof(ITuple));
        var cursorKey = Expression.Convert(Expression.Call(create, ListFields<TEntity>.Captured(value, _sort.Key.ReturnType), ListFields<TEntity>.Captured(id, typeof(Guid))), typeof(ITuple));
        var compare = typeof(NpgsqlDbFunctionsExtensions).GetMethod(
            _descending ? nameof(NpgsqlDbFunctionsExtensions.LessThan) : nameof(NpgsqlDbFunctionsExtensions.GreaterThan),
            [typeof(DbFunctions), typeof(ITuple), typeof(ITuple)])!;
        return Expression.Lambda<Func<TEntity, bool>>(Expression.Call(compare, Expression.Constant(EF.Functions), rowKey, cursorKey), row);
    }

    private string EncodeCursor(object value, Guid id) =>
        WebEncoders.Base64UrlEncode(JsonSerializer.SerializeToUtf8Bytes(new Cursor(_sortName, _descending, JsonSerializer.SerializeToElement(value, CursorJson), id)));

    private static MethodInfo QueryableMethod(string name) =>
        typeof(Queryable).GetMethods().Single(m => m.Name == name && m.GetParameters().Length == 2);


    /// <summary>Sort keys may be -Infinity (a number sort's "no value").</summary>
    private static readonly JsonSerializerOptions CursorJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private sealed record Cursor(string Sort, bool Descending, JsonElement Value, Guid Id);
}

/// <summary>A row of a page with the key it was sorted by.</summary>
internal sealed record KeyedRow<TEntity>(TEntity Row, object SortKey);
