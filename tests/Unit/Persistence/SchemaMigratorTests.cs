using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Persistence;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Persistence;

public class SchemaMigratorTests
{
    private static SchemaMigrator Migrator() => new(NullLogger<SchemaMigrator>.Instance);

    [Fact]
    public async Task A_fresh_database_gets_every_migration_in_wal_mode()
    {
        using var dir = new TempDir();
        var cs = SqliteConnectionStrings.For(Path.Combine(dir.Path, "p.db"));
        var applied = await Migrator().MigrateAsync(MetadataStore.Sqlite(Path.Combine(dir.Path, "p.db")), CancellationToken.None);
        Assert.Equal(Enumerable.Range(1, SchemaMigrator.LatestVersion), applied);

        await using var c = new SqliteConnection(cs);
        await c.OpenAsync();
        Assert.Equal(SchemaMigrator.LatestVersion, await SchemaMigrator.CurrentVersionAsync(c, CancellationToken.None));
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await cmd.ExecuteScalarAsync());
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task Running_again_applies_nothing()
    {
        using var db = await TestDatabase.CreateAsync();
        Assert.Empty(await Migrator().MigrateAsync(db.Store, CancellationToken.None));
    }

    [Fact]
    public async Task A_database_from_a_newer_portal_is_refused()
    {
        using var db = await TestDatabase.CreateAsync();
        await using (var c = new SqliteConnection(db.ConnectionString))
        {
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "INSERT INTO schema_version VALUES (999, 'future', '2030-01-01');";
            await cmd.ExecuteNonQueryAsync();
        }
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => Migrator().MigrateAsync(db.Store, CancellationToken.None));
        Assert.Contains("schema version 999", e.Message);
    }

    /// <summary>The hand-written migrations must produce exactly the tables, columns and indexes the EF model expects.</summary>
    [Fact]
    public async Task Migrations_produce_the_schema_of_the_ef_model()
    {
        using var db = await TestDatabase.CreateAsync();
        await using var reference = new SqliteConnection("Data Source=:memory:");
        await reference.OpenAsync();
        var options = new DbContextOptionsBuilder<PortalDbContext>().UseSqlite(reference).Options;
        await using (var context = new PortalDbContext(options)) await context.Database.EnsureCreatedAsync();

        await using var migrated = new SqliteConnection(db.ConnectionString);
        await migrated.OpenAsync();
        Assert.Equal(await DescribeAsync(reference), await DescribeAsync(migrated));
        SqliteConnection.ClearAllPools();
    }

    private static async Task<List<string>> DescribeAsync(SqliteConnection c)
    {
        var facts = new List<string>();
        var tables = new List<string>();
        await using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_version' ORDER BY name;";
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) tables.Add(r.GetString(0));
        }
        foreach (var table in tables)
        {
            foreach (var pragma in new[] { "table_info", "foreign_key_list", "index_list" })
            {
                await using var cmd = c.CreateCommand();
                cmd.CommandText = $"PRAGMA {pragma}(\"{table}\");";
                await using var r = await cmd.ExecuteReaderAsync();
                while (await r.ReadAsync())
                    facts.Add($"{table} {pragma}: " + string.Join("|", Enumerable.Range(0, r.FieldCount).Where(i => r.GetName(i) is not ("id" or "seq" or "cid")).Select(i => r.IsDBNull(i) ? "null" : r.GetValue(i).ToString())));
            }
        }
        facts.Sort(StringComparer.Ordinal);
        return facts;
    }

    [SkippableFact]
    public async Task A_fresh_postgres_database_gets_the_baseline_then_every_later_migration_and_again_nothing()
    {
        var store = MetadataStore.Postgres(await RealPostgres.CreateDatabaseAsync());
        Assert.Equal(SchemaMigrator.Postgres.Select(m => m.Version), await Migrator().MigrateAsync(store, CancellationToken.None));
        Assert.Equal(SchemaMigrator.LatestVersion, SchemaMigrator.Postgres[^1].Version);
        Assert.Empty(await Migrator().MigrateAsync(store, CancellationToken.None));
        await using var c = await store.OpenAsync(CancellationToken.None);
        Assert.Equal(SchemaMigrator.LatestVersion, await SchemaMigrator.CurrentVersionAsync(c, CancellationToken.None));
    }

    /// <summary>Two portals starting at once on one PostgreSQL database: one migrates, the other waits and finds nothing to do.</summary>
    [SkippableFact]
    public async Task Two_portals_starting_together_migrate_postgres_once()
    {
        var store = MetadataStore.Postgres(await RealPostgres.CreateDatabaseAsync());
        var both = await Task.WhenAll(Migrator().MigrateAsync(store, CancellationToken.None), Migrator().MigrateAsync(store, CancellationToken.None));
        Assert.Equal(SchemaMigrator.Postgres.Select(m => m.Version), both.SelectMany(a => a).Order());
    }

    /// <summary>PostgreSQL's migrations must produce exactly the tables, columns, keys and indexes the EF model expects there.</summary>
    [SkippableFact]
    public async Task Postgres_migrations_produce_the_schema_of_the_ef_model()
    {
        var migrated = MetadataStore.Postgres(await RealPostgres.CreateDatabaseAsync());
        await Migrator().MigrateAsync(migrated, CancellationToken.None);
        var reference = MetadataStore.Postgres(await RealPostgres.CreateDatabaseAsync());
        await using (var context = new PortalDbContext((DbContextOptions<PortalDbContext>)reference.Use(new DbContextOptionsBuilder<PortalDbContext>()).Options))
            await context.Database.EnsureCreatedAsync();
        Assert.Equal(await DescribePostgresAsync(reference), await DescribePostgresAsync(migrated));
    }

    private static async Task<List<string>> DescribePostgresAsync(MetadataStore store)
    {
        var facts = new List<string>();
        await using var c = await store.OpenAsync(CancellationToken.None);
        foreach (var query in new[]
                 {
                     "SELECT table_name || '.' || column_name || ' ' || data_type || ' null=' || is_nullable || ' identity=' || is_identity " +
                     "FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> 'schema_version'",
                     "SELECT tablename || ' ' || indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename <> 'schema_version'",
                     "SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint " +
                     "WHERE connamespace = current_schema()::regnamespace AND conrelid::regclass::text <> 'schema_version'",
                 })
        {
            await using var cmd = c.CreateCommand();
            cmd.CommandText = query;
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) facts.Add(r.GetString(0));
        }
        facts.Sort(StringComparer.Ordinal);
        return facts;
    }
}
