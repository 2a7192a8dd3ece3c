namespace TaskTracker.Common;

internal sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

internal static class Paging
{
    /// <summary>
    /// One page of an ordered query. The offset is computed in long: page 2147483647 times the page size overflowed
    /// int to a negative OFFSET (a 500 on PostgreSQL); a page past the end is simply empty.
    /// </summary>
    public static IQueryable<T> PageOf<T>(this IQueryable<T> query, int page, int pageSize) =>
        query.Skip((int)Math.Min(((long)page - 1) * pageSize, int.MaxValue)).Take(pageSize);
}
