using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Persistence;

namespace Portal.Tests.Unit.Support;

/// <summary>A real SQLite file migrated by the real migrator, with a context factory like the portal's.</summary>
public sealed class TestDatabase : IDisposable
{
    private readonly TempDir _dir = new();

    private TestDatabase() { }

    public string File => Path.Combine(_dir.Path, "portal.db");
    public string ConnectionString => SqliteConnectionStrings.For(File);
    public IDbContextFactory<PortalDbContext> Factory { get; private set; } = default!;

    public static async Task<TestDatabase> CreateAsync()
    {
        var db = new TestDatabase();
        await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).MigrateAsync(db.ConnectionString, CancellationToken.None);
        var options = new DbContextOptionsBuilder<PortalDbContext>().UseSqlite(db.ConnectionString).Options;
        db.Factory = new ContextFactory(options);
        return db;
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
