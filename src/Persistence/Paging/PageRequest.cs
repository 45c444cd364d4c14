using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Persistence.Paging;

/// <summary>
/// <c>?limit=&amp;cursor=</c> for lists that have no filters or sorts of their own: a <see cref="ListQuery{TEntity}"/>
/// in the default order.
/// </summary>
public sealed record PageRequest(int? Limit, string? Cursor)
{
    public static bool TryParse(int? limit, string? cursor, out PageRequest page, out Dictionary<string, string[]> errors)
    {
        page = new PageRequest(limit, cursor);
        var valid = ListQuery<IKeysetOrdered>.TryParse(limit, cursor, out _, out var fieldErrors);
        errors = fieldErrors;
        return valid;
    }
}

public static class CursorPaging
{
    public static Task<CursorPage<TResult>> ToCursorPageAsync<TEntity, TResult>(
        this IQueryable<TEntity> query, PageRequest page, Func<TEntity, TResult> project, CancellationToken cancellationToken)
        where TEntity : class, IKeysetOrdered
    {
        if (!ListQuery<TEntity>.TryParse(page.Limit, page.Cursor, out var list, out _))
        {
            throw new ArgumentException("The page request was not validated with PageRequest.TryParse.", nameof(page));
        }
        return list.ToPageAsync(query, project, cancellationToken);
    }
}
