using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Errors;
using Portal.Core.Stores;

namespace Portal.Core.Persistence;

/// <summary>Paging, searching and error translation shared by the EF stores.</summary>
internal static class StoreQueries
{
    public static async Task<Page<T>> PageAsync<T>(IQueryable<T> query, PageRequest request, CancellationToken ct)
    {
        var r = request.Normalized();
        var total = await query.CountAsync(ct);
        var items = await query.Skip(r.Skip).Take(r.Take).ToListAsync(ct);
        return new Page<T>(items, total, r.Skip, r.Take);
    }

    /// <summary>SQLite's LIKE is case-insensitive for ASCII; '%' and '_' typed by the user are matched literally.</summary>
    public static string LikePattern(string search) =>
        "%" + search.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";

    public static IOrderedQueryable<T> Sort<T, TKey>(IQueryable<T> q, System.Linq.Expressions.Expression<Func<T, TKey>> key, bool descending) =>
        descending ? q.OrderByDescending(key) : q.OrderBy(key);

    /// <summary>Turns a unique-constraint violation (a concurrent create with the same name) into a conflict the user understands.</summary>
    public static async Task SaveAsync(DbContext db, string what, CancellationToken ct)
    {
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException e) when (e.InnerException is SqliteException { SqliteErrorCode: 19 } sqlite)
        {
            throw new ConflictException(sqlite.Message.Contains("UNIQUE", StringComparison.Ordinal)
                ? $"{what} already exists."
                : $"{what} is still referenced by other records: {sqlite.Message}");
        }
    }
}
