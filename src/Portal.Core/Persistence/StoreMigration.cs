using System.Reflection;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Storage;

namespace Portal.Core.Persistence;

/// <summary>
/// Copies everything of one metadata store and one file store into another pair (SQLite to PostgreSQL, a directory to
/// a bucket, or both) and checks the copy: the row count of every table, and the sha256 of every file read back from
/// the target. The targets must be empty; the sources are only read. Run it with the portal stopped.
/// </summary>
public sealed class StoreMigration(Action<string> say)
{
    /// <summary>The file store's folders that hold what the metadata refers to (staging and probes are left behind).</summary>
    public static readonly string[] FileRoots = [StorageKeys.DatasetsRoot, StorageKeys.VersionsRoot, "trainings", "builds", "packages"];

    /// <summary>Append-only tables nothing refers to: copied in batches after the rest, which goes in one transaction.</summary>
    private static readonly string[] LogTables = ["audit_events", "predictions"];

    public async Task<bool> CopyMetadataAsync(MetadataStore from, MetadataStore to, CancellationToken ct)
    {
        await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).MigrateAsync(to, ct);
        await using var source = Context(from);
        await using var target = Context(to);
        var types = source.Model.GetEntityTypes().Where(t => t.GetTableName() is not null).ToList();
        foreach (var type in types)
            if (await CountAsync(target, type, ct) > 0)
                throw new ConflictException($"The target metadata store ({to.Describe()}) already holds {type.GetTableName()}: migrate into an empty database.");

        say($"Copying the metadata from {from.Describe()} to {to.Describe()}");
        // One SaveChanges for everything that refers to something, so EF orders the rows (trainings and versions refer to each other).
        foreach (var type in types.Where(t => !LogTables.Contains(t.GetTableName()))) AddRows(target, type, await RowsAsync(source, type, ct));
        await target.SaveChangesAsync(ct);
        target.ChangeTracker.Clear();
        foreach (var type in types.Where(t => LogTables.Contains(t.GetTableName())))
        {
            var rows = await RowsAsync(source, type, ct);
            foreach (var batch in rows.Chunk(5_000))
            {
                AddRows(target, type, batch);
                await target.SaveChangesAsync(ct);
                target.ChangeTracker.Clear();
            }
        }
        if (to.IsPostgres) await RestartIdentitiesAsync(target, types, ct);

        var matched = true;
        foreach (var type in types)
        {
            var (inSource, inTarget) = (await CountAsync(source, type, ct), await CountAsync(target, type, ct));
            matched &= inSource == inTarget;
            say($"  {type.GetTableName(),-16} {inSource,8} rows → {inTarget,8}{(inSource == inTarget ? "" : "  MISMATCH")}");
        }
        return matched;
    }

    public async Task<bool> CopyFilesAsync(IFileStore from, IFileStore to, CancellationToken ct)
    {
        foreach (var root in FileRoots)
            await foreach (var _ in to.ListAsync(root, ct))
                throw new ConflictException($"The target file store already holds files under {root}/: migrate into an empty one.");
        var (files, bytes, matched) = (0, 0L, true);
        foreach (var root in FileRoots)
        {
            await foreach (var relative in from.ListAsync(root, ct))
            {
                var key = $"{root}/{relative}";
                StoredFile copied;
                await using (var read = await from.OpenReadAsync(key, ct)) copied = await to.SaveAsync(key, read, null, ct);
                string readBack;
                await using (var check = await to.OpenReadAsync(key, ct)) readBack = Convert.ToHexStringLower(await SHA256.HashDataAsync(check, ct));
                if (readBack != copied.Sha256)
                {
                    matched = false;
                    say($"  MISMATCH {key}: sent sha256 {copied.Sha256}, read back {readBack}");
                }
                (files, bytes) = (files + 1, bytes + copied.Size);
            }
        }
        say($"  {files} files, {ByteSize.Format(bytes)}, each read back from the target with the sha256 that was sent{(matched ? "" : " (except the above)")}");
        return matched;
    }

    private static PortalDbContext Context(MetadataStore store) =>
        new((DbContextOptions<PortalDbContext>)store.Use(new DbContextOptionsBuilder<PortalDbContext>()).Options);

    private static Task<int> CountAsync(PortalDbContext db, IEntityType type, CancellationToken ct) =>
        (Task<int>)Generic(nameof(CountOfAsync), type).Invoke(null, [db, type, ct])!;

    private static async Task<IReadOnlyList<object>> RowsAsync(PortalDbContext db, IEntityType type, CancellationToken ct) =>
        await (Task<IReadOnlyList<object>>)Generic(nameof(RowsOfAsync), type).Invoke(null, [db, type, ct])!;

    private static void AddRows(PortalDbContext db, IEntityType type, IReadOnlyList<object> rows) =>
        Generic(nameof(AddRowsOf), type).Invoke(null, [db, type, rows]);

    private static MethodInfo Generic(string name, IEntityType type) =>
        typeof(StoreMigration).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type.ClrType);

    /// <summary>The entity's set; a join table (a shared dictionary type) is reached by its name.</summary>
    private static DbSet<T> Set<T>(PortalDbContext db, IEntityType type) where T : class =>
        type.HasSharedClrType ? db.Set<T>(type.Name) : db.Set<T>();

    private static void AddRowsOf<T>(PortalDbContext db, IEntityType type, IReadOnlyList<object> rows) where T : class =>
        Set<T>(db, type).AddRange(rows.Cast<T>());

    private static Task<int> CountOfAsync<T>(PortalDbContext db, IEntityType type, CancellationToken ct) where T : class =>
        Set<T>(db, type).CountAsync(ct);

    private static async Task<IReadOnlyList<object>> RowsOfAsync<T>(PortalDbContext db, IEntityType type, CancellationToken ct) where T : class
    {
        var key = type.FindPrimaryKey()!.Properties[0].Name;
        return [.. await Set<T>(db, type).AsNoTracking().OrderBy(e => EF.Property<object>(e, key)).ToListAsync(ct)];
    }

    /// <summary>Rows came with their ids: PostgreSQL's identity sequences must start after them.</summary>
    private static async Task RestartIdentitiesAsync(PortalDbContext db, IEnumerable<IEntityType> types, CancellationToken ct)
    {
        foreach (var type in types)
        {
            var key = type.FindPrimaryKey()!.Properties;
            if (key.Count != 1 || key[0].ValueGenerated == ValueGenerated.Never) continue;
            var (table, column) = (type.GetTableName()!, key[0].GetColumnName());
            // Identifiers from the EF model, not from anyone's input.
            var restart = $"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), COALESCE((SELECT MAX(\"{column}\") FROM \"{table}\"), 0) + 1, false)";
            await db.Database.ExecuteSqlRawAsync(restart, ct);
        }
    }
}
