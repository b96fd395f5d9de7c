using System.Globalization;
using System.Data.Common;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Portal.Core.Persistence;

/// <summary>
/// Applies the hand-written SQL migrations (embedded <c>Migrations/NNNN_name.sql</c>) in order, each in its
/// own transaction, and records them in <c>schema_version</c>. EF's design-time tooling does not restore here,
/// and plain SQL keeps every schema change reviewable.
/// </summary>
public sealed class SchemaMigrator(ILogger<SchemaMigrator> logger)
{
    public sealed record Migration(int Version, string Name, string Sql);

    public static IReadOnlyList<Migration> All { get; } = LoadMigrations();

    public static int LatestVersion => All[^1].Version;

    /// <summary>Brings the database at <paramref name="connectionString"/> to the latest schema; returns the versions applied.</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", ct);
        await ExecuteAsync(connection, null,
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);", ct);

        var current = await CurrentVersionAsync(connection, ct);
        if (current > LatestVersion)
            throw new InvalidOperationException(
                $"The database '{connection.DataSource}' has schema version {current}, but this portal knows versions up to {LatestVersion}. " +
                "It was written by a newer portal: run that version, or restore a backup.");

        var applied = new List<int>();
        foreach (var migration in All.Where(m => m.Version > current))
        {
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            await ExecuteAsync(connection, tx, migration.Sql, ct);
            await using (var record = connection.CreateCommand())
            {
                record.Transaction = tx;
                record.CommandText = "INSERT INTO schema_version (version, name, applied_at) VALUES ($v, $n, $t);";
                record.Parameters.AddWithValue("$v", migration.Version);
                record.Parameters.AddWithValue("$n", migration.Name);
                record.Parameters.AddWithValue("$t", DateTime.UtcNow.ToString("O"));
                await record.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
            logger.LogInformation("Applied schema migration {Version} ({Name}) to {Database}", migration.Version, migration.Name, connection.DataSource);
            applied.Add(migration.Version);
        }
        return applied;
    }

    public static async Task<int> CurrentVersionAsync(DbConnection connection, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version;";
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static List<Migration> LoadMigrations()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var migrations = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("migrations/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n["migrations/".Length..^".sql".Length];
                var version = int.Parse(file[..4], CultureInfo.InvariantCulture);
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return new Migration(version, file[5..], reader.ReadToEnd());
            })
            .OrderBy(m => m.Version)
            .ToList();
        for (var i = 0; i < migrations.Count; i++)
            if (migrations[i].Version != i + 1)
                throw new InvalidOperationException($"Schema migrations must be numbered 0001, 0002, ... without gaps; found {migrations[i].Version:0000} at position {i + 1}.");
        return migrations;
    }
}
