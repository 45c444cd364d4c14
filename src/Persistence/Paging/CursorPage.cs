using System.Buffers.Binary;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Persistence.Paging;

/// <summary>One page of a list: <c>{ "items": [...], "nextCursor": "..." }</c>; nextCursor is null on the last page.</summary>
public sealed record CursorPage<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>
/// A validated <c>?limit=&amp;cursor=</c> pair. Pages are keyed on (createdAt, id), so rows inserted while a client walks
/// the list never shift what it has not seen yet. The cursor is opaque: clients pass back what they were given.
/// </summary>
public sealed record PageRequest(int Limit, DateTime? AfterCreatedAt, Guid? AfterId)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static bool TryParse(int? limit, string? cursor, out PageRequest page, out Dictionary<string, string[]> errors)
    {
        errors = [];
        page = new PageRequest(limit ?? DefaultLimit, null, null);
        if (page.Limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"limit must be between 1 and {MaxLimit}."];
        }

        if (!string.IsNullOrEmpty(cursor))
        {
            if (TryDecode(cursor, out var createdAt, out var id))
            {
                page = page with { AfterCreatedAt = createdAt, AfterId = id };
            }
            else
            {
                errors["cursor"] = ["cursor is not one this API issued."];
            }
        }
        return errors.Count == 0;
    }

    internal static string Encode(DateTime createdAt, Guid id)
    {
        Span<byte> bytes = stackalloc byte[24];
        BinaryPrimitives.WriteInt64BigEndian(bytes, createdAt.Ticks);
        id.TryWriteBytes(bytes[8..], bigEndian: true, out _);
        return WebEncoders.Base64UrlEncode(bytes);
    }

    private static bool TryDecode(string cursor, out DateTime createdAt, out Guid id)
    {
        createdAt = default;
        id = default;
        try
        {
            var bytes = WebEncoders.Base64UrlDecode(cursor);
            if (bytes.Length != 24)
            {
                return false;
            }
            var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes);
            if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
            {
                return false;
            }
            createdAt = new DateTime(ticks, DateTimeKind.Utc);
            id = new Guid(bytes.AsSpan(8), bigEndian: true);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

public static class CursorPaging
{
    public static async Task<CursorPage<TResult>> ToCursorPageAsync<TEntity, TResult>(
        this IQueryable<TEntity> query, PageRequest page, Func<TEntity, TResult> project, CancellationToken cancellationToken)
        where TEntity : class, IKeysetOrdered
    {
        if (page.AfterCreatedAt is { } createdAt && page.AfterId is { } id)
        {
            query = query.Where(e => EF.Functions.GreaterThan(ValueTuple.Create(e.CreatedAt, e.Id), ValueTuple.Create(createdAt, id)));
        }

        var rows = await query
            .OrderBy(e => e.CreatedAt).ThenBy(e => e.Id)
            .Take(page.Limit + 1)
            .ToListAsync(cancellationToken);

        var hasMore = rows.Count > page.Limit;
        if (hasMore)
        {
            rows.RemoveAt(rows.Count - 1);
        }
        var next = hasMore ? PageRequest.Encode(rows[^1].CreatedAt, rows[^1].Id) : null;
        return new CursorPage<TResult>(rows.Select(project).ToList(), next);
    }
}
