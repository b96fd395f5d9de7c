using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Portal.Tests.Shared;

namespace Portal.Tests.Unit.Support;

/// <summary>
/// A private image registry on loopback: Debian's docker-registry (the CNCF distribution registry) with htpasswd
/// (bcrypt) authentication, holding one image pushed by the docker CLI. The engine allows plain HTTP for loopback
/// registries, so nothing else is needed; the test must log in to pull.
/// </summary>
public sealed class PrivateRegistry : IAsyncDisposable
{
    public const string Binary = "/usr/bin/docker-registry";
    private readonly Process _process;
    private readonly TempDir _dir;

    private PrivateRegistry(Process process, TempDir dir, string host) => (_process, _dir, Host) = (process, dir, host);

    /// <summary>host:port, the registry part of its image names.</summary>
    public string Host { get; }

    /// <summary>Skips (loudly) without the registry binary; in CI, where the test command installs it, fails instead.</summary>
    public static void Require()
    {
        if (!File.Exists(Binary)) TestEnvironment.Missing($"SKIPPED: {Binary} is missing (apt-get install docker-registry; scripts/test.sh does as root).");
    }

    /// <summary>Starts the registry and pushes <paramref name="source"/> to it as <paramref name="repository"/>:<paramref name="tag"/>, then removes that tag from the engine so only a pull can bring it back.</summary>
    public static async Task<PrivateRegistry> StartAsync(string user, string password, string source, string repository, string tag)
    {
        var dir = new TempDir();
        var hash = (await TestEnvironment.RunAsync("/usr/bin/python3", null, "-c", $"import crypt; print(crypt.crypt('{password}', crypt.mksalt(crypt.METHOD_BLOWFISH)))")).Trim();
        dir.File("htpasswd", $"{user}:{hash}\n");
        var registry = await ServeAsync(dir, $"""
            auth:
              htpasswd:
                realm: portal-test
                path: {dir.Path}/htpasswd
            """);
        // The docker CLI pushes with its own login, kept in a config folder of the test's so nothing stays behind.
        var image = $"{registry.Host}/{repository}:{tag}";
        await TestEnvironment.RunAsync("docker", password, "--config", dir.Path, "login", registry.Host, "-u", user, "--password-stdin");
        await TestEnvironment.RunAsync("docker", null, "tag", source, image);
        await TestEnvironment.RunAsync("docker", null, "--config", dir.Path, "push", "--quiet", image);
        await TestEnvironment.RunAsync("docker", null, "rmi", image);
        return registry;
    }

    /// <summary>An empty registry that asks no login, as a team's internal one often is.</summary>
    public static Task<PrivateRegistry> StartOpenAsync() => ServeAsync(new TempDir(), "");

    private static async Task<PrivateRegistry> ServeAsync(TempDir dir, string auth)
    {
        var port = TestEnvironment.FreePort();
        var config = dir.File("config.yml", $"""
            version: 0.1
            log:
              level: error
            storage:
              filesystem:
                rootdirectory: {dir.Path}/data
            http:
              addr: 127.0.0.1:{port}
            """ + "\n" + auth);
        var process = Process.Start(new ProcessStartInfo(Binary, ["serve", config]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var registry = new PrivateRegistry(process, dir, $"127.0.0.1:{port}");
        await TestEnvironment.WaitForListenerAsync(process, port);
        return registry;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _dir.Dispose();
    }
}
