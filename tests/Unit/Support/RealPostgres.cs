using Npgsql;
using Portal.Tests.Shared;

namespace Portal.Tests.Unit.Support;

/// <summary>
/// A private PostgreSQL cluster (Debian's <c>postgresql</c>) on a loopback port with password logins, started once per
/// test run (about 3 s) and stopped when the run ends; each caller gets a database of its own.
/// </summary>
public static class RealPostgres
{
    public const string User = "portal";
    public const string Password = "pg-test-secret";

    private static readonly SemaphoreSlim Starting = new(1, 1);
    private static Cluster? _cluster;

    /// <summary>The connection string of a new, empty database; skips loudly (fails in CI) where PostgreSQL is missing.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var cluster = await StartAsync();
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var admin = new NpgsqlConnection(cluster.ConnectionString("postgres")))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        return cluster.ConnectionString(name);
    }

    private static async Task<Cluster> StartAsync()
    {
        await Starting.WaitAsync();
        try
        {
            if (_cluster is not null) return _cluster;
            var bin = Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).Max()
                : null;
            if (bin is null) TestEnvironment.Missing("SKIPPED: PostgreSQL is missing (scripts/test.sh installs Debian's postgresql).");
            _cluster = await Cluster.StartAsync(bin!);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => _cluster.Stop();
            return _cluster;
        }
        finally { Starting.Release(); }
    }

    private sealed class Cluster(string bin, string dir, int port)
    {
        public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = port, Database = database, Username = User, Password = Password, Pooling = true,
        }.ToString();

        public static async Task<Cluster> StartAsync(string bin)
        {
            // initdb refuses to run as root: the cluster belongs to Debian's postgres account then.
            var root = Environment.UserName == "root";
            var dir = Directory.CreateTempSubdirectory("portal-pg-").FullName;
            await File.WriteAllTextAsync(Path.Combine(dir, "pw"), Password);
            if (root) await TestEnvironment.RunAsync("chown", null, "-R", "postgres:postgres", dir);
            var port = TestEnvironment.FreePort();
            var cluster = new Cluster(bin, dir, port);
            await cluster.RunAsync("initdb", "-D", Path.Combine(dir, "data"), "-U", User, "--pwfile", Path.Combine(dir, "pw"), "--auth=scram-sha-256",
                "-E", "UTF8", "--locale=C", "--no-sync");
            await cluster.RunAsync("pg_ctl", "-D", Path.Combine(dir, "data"), "-l", Path.Combine(dir, "log"), "-w", "-o",
                $"-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
                "start");
            return cluster;
        }

        public void Stop()
        {
            try { RunAsync("pg_ctl", "-D", Path.Combine(dir, "data"), "-m", "immediate", "stop").GetAwaiter().GetResult(); }
            catch (InvalidOperationException) { }
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }

        private Task<string> RunAsync(string tool, params string[] args) => Environment.UserName == "root"
            ? TestEnvironment.RunAsync("runuser", null, ["-u", "postgres", "--", Path.Combine(bin, tool), .. args])
            : TestEnvironment.RunAsync(Path.Combine(bin, tool), null, args);
    }
}
