using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
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

    /// <summary>
    /// A LIKE pattern in lower case, matched against lower-cased columns so that searching ignores case in SQLite and
    /// PostgreSQL alike; '%' and '_' typed by the user are matched literally.
    /// </summary>
    public static string LikePattern(string search) =>
        "%" + search.Trim().ToLowerInvariant().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";

    /// <summary>SQL's lower(), the same function in SQLite and PostgreSQL (mapped in <see cref="PortalDbContext"/>); queries only.</summary>
    public static string Lower(string value) => throw new NotSupportedException("StoreQueries.Lower runs in the database, inside a query.");

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
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.ForeignKeyViolation } pg)
        {
            throw new ConflictException(pg.SqlState == PostgresErrorCodes.UniqueViolation
                ? $"{what} already exists."
                : $"{what} is still referenced by other records: {pg.MessageText}");
        }
    }
}
