using System.Globalization;
using System.Data.Common;
using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Portal.Core.Persistence;

/// <summary>
/// Applies the hand-written SQL migrations (embedded <c>Migrations/NNNN_name.sql</c> for SQLite, <c>Migrations/Postgres/</c>
/// for PostgreSQL) in order, each in its own transaction, and records them in <c>schema_version</c>. Both providers reach
/// the same version with the same schema; PostgreSQL's set starts from a baseline (its first file) that creates the schema
/// SQLite reached by then. Plain SQL keeps every schema change reviewable.
/// </summary>
public sealed class SchemaMigrator(ILogger<SchemaMigrator> logger)
{
    public sealed record Migration(int Version, string Name, string Sql);

    /// <summary>SQLite's migrations, 0001 onwards.</summary>
    public static IReadOnlyList<Migration> All { get; } = LoadMigrations("sqlite");

    /// <summary>PostgreSQL's migrations: a baseline, then one per later schema change.</summary>
    public static IReadOnlyList<Migration> Postgres { get; } = LoadMigrations("postgres");

    public static int LatestVersion => All[^1].Version;

    /// <summary>A lock key of this portal's own, so that two portals starting on one PostgreSQL database migrate one after the other.</summary>
    private const long PostgresLockKey = 0x706f7274616c;

    /// <summary>Brings <paramref name="store"/> to the latest schema; returns the versions applied.</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(MetadataStore store, CancellationToken ct)
    {
        if (Postgres[^1].Version != LatestVersion)
            throw new InvalidOperationException($"The PostgreSQL migrations end at {Postgres[^1].Version}, SQLite's at {LatestVersion}: every schema change needs both.");
        await using var connection = await store.OpenAsync(ct);
        await ExecuteAsync(connection, null, store.IsPostgres ? $"SELECT pg_advisory_lock({PostgresLockKey});" : "PRAGMA journal_mode=WAL;", ct);
        await ExecuteAsync(connection, null,
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);", ct);

        var current = await CurrentVersionAsync(connection, ct);
        if (current > LatestVersion)
            throw new InvalidOperationException(
                $"The database ({store.Describe()}) has schema version {current}, but this portal knows versions up to {LatestVersion}. " +
                "It was written by a newer portal: run that version, or restore a backup.");

        var migrations = store.IsPostgres ? Postgres : All;
        if (current > 0 && current < migrations[0].Version - 1)
            throw new InvalidOperationException($"The database ({store.Describe()}) has schema version {current}, older than this portal's first migration.");
        var applied = new List<int>();
        // A fresh PostgreSQL database starts from the baseline, which stands for every version up to its own.
        foreach (var migration in migrations.Where(m => m.Version > current))
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            await ExecuteAsync(connection, tx, migration.Sql, ct);
            await using (var record = connection.CreateCommand())
            {
                record.Transaction = tx;
                record.CommandText = "INSERT INTO schema_version (version, name, applied_at) VALUES (@v, @n, @t);";
                foreach (var (name, value) in new (string, object)[] { ("@v", migration.Version), ("@n", migration.Name), ("@t", DateTime.UtcNow.ToString("O")) })
                {
                    var p = record.CreateParameter();
                    p.ParameterName = name;
                    p.Value = value;
                    record.Parameters.Add(p);
                }
                await record.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
            logger.LogInformation("Applied schema migration {Version} ({Name}) to {Database}", migration.Version, migration.Name, store.Describe());
            applied.Add(migration.Version);
        }
        if (store.IsPostgres) await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({PostgresLockKey});", ct);
        return applied;
    }

    public static async Task<int> CurrentVersionAsync(DbConnection connection, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version;";
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static List<Migration> LoadMigrations(string provider)
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var prefix = $"migrations/{provider}/";
        var migrations = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n[prefix.Length..^".sql".Length];
                var version = int.Parse(file[..4], CultureInfo.InvariantCulture);
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return new Migration(version, file[5..], reader.ReadToEnd());
            })
            .OrderBy(m => m.Version)
            .ToList();
        var first = provider == "sqlite" ? 1 : migrations.FirstOrDefault()?.Version ?? 1;
        for (var i = 0; i < migrations.Count; i++)
            if (migrations[i].Version != first + i)
                throw new InvalidOperationException($"The {provider} migrations must be numbered without gaps; found {migrations[i].Version:0000} at position {i + 1}.");
        return migrations;
    }
}
