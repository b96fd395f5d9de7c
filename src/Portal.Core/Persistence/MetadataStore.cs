using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Core.Configuration;

namespace Portal.Core.Persistence;

/// <summary>
/// Which database holds the metadata (<c>store.type</c>): the embedded SQLite file, or a PostgreSQL server that several
/// portal processes may share. Everything that depends on the provider asks here.
/// </summary>
public sealed class MetadataStore
{
    private MetadataStore(bool postgres, string connectionString)
    {
        IsPostgres = postgres;
        ConnectionString = connectionString;
    }

    public bool IsPostgres { get; }

    public string ConnectionString { get; }

    public static MetadataStore Sqlite(string databaseFile) => new(false, SqliteConnectionStrings.For(databaseFile));

    public static MetadataStore Postgres(string connectionString) => new(true, connectionString);

    public static MetadataStore From(PortalConfig config, PortalPaths paths) =>
        config.Store.Type == "postgres" ? Postgres(config.Store.ConnectionString!) : Sqlite(paths.DatabaseFile);

    /// <summary>What is wrong with a PostgreSQL connection string, or null.</summary>
    public static string? ConnectionStringProblem(string? connectionString)
    {
        const string Example = "Host=db.example.com;Port=5432;Database=portal;Username=portal;Password=…";
        if (string.IsNullOrWhiteSpace(connectionString))
            return $"is needed with store.type postgres, e.g. {Example} (or set PORTAL__STORE__CONNECTION_STRING).";
        try
        {
            var b = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(b.Host)) return $"names no Host; e.g. {Example}.";
            if (string.IsNullOrWhiteSpace(b.Database)) return $"names no Database; e.g. {Example}.";
            return null;
        }
        catch (ArgumentException e)
        {
            return $"does not read as a connection string ({e.Message}); e.g. {Example}.";
        }
    }

    /// <summary>Where the store is, for logs and the settings page: never the password.</summary>
    public string Describe()
    {
        if (!IsPostgres) return $"SQLite {new SqliteConnectionStringBuilder(ConnectionString).DataSource}";
        var b = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"PostgreSQL {b.Host}:{b.Port}/{b.Database} as {b.Username}";
    }

    public DbContextOptionsBuilder Use(DbContextOptionsBuilder options) =>
        IsPostgres ? options.UseNpgsql(ConnectionString) : options.UseSqlite(ConnectionString);

    /// <summary>An open connection; a server that cannot be reached (or refuses the login) is a configuration problem.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        DbConnection connection = IsPostgres ? new NpgsqlConnection(ConnectionString) : new SqliteConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or SqliteException or TimeoutException)
        {
            await connection.DisposeAsync();
            throw new ConfigException(new ConfigProblem("store", $"The metadata store ({Describe()}) cannot be opened: {e.Message}. " +
                (IsPostgres ? "Check store.connection_string and that the server accepts this user." : "Check store.data_dir.")));
        }
    }

    /// <summary>Whether the database already has <paramref name="table"/> (a fresh one has none).</summary>
    public async Task<bool> HasTableAsync(DbConnection connection, string table, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = IsPostgres
            ? "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = @t"
            : "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = @t";
        var p = cmd.CreateParameter();
        p.ParameterName = "@t";
        p.Value = table;
        cmd.Parameters.Add(p);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }
}
