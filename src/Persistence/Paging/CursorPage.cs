namespace CrmPlatform.Persistence.Paging;

/// <summary>One page of a list: <c>{ "items": [...], "nextCursor": "..." }</c>; nextCursor is null on the last page.</summary>
public sealed record CursorPage<T>(IReadOnlyList<T> Items, string? NextCursor);
