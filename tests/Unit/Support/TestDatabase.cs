using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Persistence;

namespace Portal.Tests.Unit.Support;

/// <summary>
/// A real database migrated by the real migrator, with a context factory like the portal's: a SQLite file, or a fresh
/// database of the test run's PostgreSQL cluster (<see cref="RealPostgres"/>).
/// </summary>
public sealed class TestDatabase : IDisposable
{
    private readonly TempDir _dir = new();

    private TestDatabase() { }

    public string File => Path.Combine(_dir.Path, "portal.db");
    public MetadataStore Store { get; private set; } = default!;
    public string ConnectionString => Store.ConnectionString;
    public IDbContextFactory<PortalDbContext> Factory { get; private set; } = default!;

    public static async Task<TestDatabase> CreateAsync(bool postgres = false)
    {
        var db = new TestDatabase();
        db.Store = postgres ? MetadataStore.Postgres(await RealPostgres.CreateDatabaseAsync()) : MetadataStore.Sqlite(db.File);
        await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).MigrateAsync(db.Store, CancellationToken.None);
        db.Factory = new ContextFactory((DbContextOptions<PortalDbContext>)db.Store.Use(new DbContextOptionsBuilder<PortalDbContext>()).Options);
        return db;
    }

    /// <summary>
    /// A context factory with a connection pool of its own (its connection string differs), as a second portal process
    /// on the same database would have.
    /// </summary>
    public IDbContextFactory<PortalDbContext> SecondWriter()
    {
        var builder = new DbContextOptionsBuilder<PortalDbContext>();
        if (Store.IsPostgres) builder.UseNpgsql(new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = "second portal" }.ToString());
        else builder.UseSqlite(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(ConnectionString) { DefaultTimeout = 29 }.ToString());
        return new ContextFactory(builder.Options);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    private sealed class ContextFactory(DbContextOptions<PortalDbContext> options) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => new(options);
    }
}
