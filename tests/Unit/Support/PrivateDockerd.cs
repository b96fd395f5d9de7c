using System.Diagnostics;
using Portal.Orchestration.Docker;
using Portal.Tests.Shared;

namespace Portal.Tests.Unit.Support;

/// <summary>
/// A dockerd of the test's own, to stop and start at will without touching the engine other tests share: its own data
/// root, exec root and socket, in its own network namespace (its bridges, iptables and swarm ports collide with nothing).
/// Started with or without live-restore, in swarm mode or not (dockerd refuses live-restore in swarm mode), with the
/// notebook base image copied over from the shared engine once. Needs root (network namespaces, dockerd), as CI runs.
/// </summary>
public sealed class PrivateDockerd : IAsyncDisposable
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];
    private readonly string _dir;
    private readonly IReadOnlyList<string> _hidden;
    private Process? _daemon;

    /// <param name="parent">Where its data root and socket go (default /tmp).</param>
    /// <param name="hidden">Host folders the daemon (and so its containers' bind mounts) must not see: each is covered by an
    /// empty tmpfs in a mount namespace of its own, as on another machine.</param>
    public PrivateDockerd(string parent = "/tmp", IReadOnlyList<string>? hidden = null)
    {
        _dir = Path.Combine(parent, $"pdd-{_id}");
        // A folder inside another hidden one is hidden with it (and could not be mounted over once that one is covered).
        var all = hidden ?? [];
        _hidden = [.. all.Where(h => !all.Any(o => o != h && h.StartsWith(o.TrimEnd('/') + "/", StringComparison.Ordinal)))];
        Directory.CreateDirectory(_dir);
    }

    /// <summary>The address the portal is given (<c>docker.daemon_address</c>).</summary>
    public string Address => $"unix:{Socket}";
    private string Socket => Path.Combine(_dir, "docker.sock");
    public string Namespace => $"portal-fault-{_id}";
    public bool LiveRestore { get; private set; }
    public bool Swarm { get; private set; }
    public bool Running => _daemon is { HasExited: false };

    public static async Task RequireAsync()
    {
        await RealDocker.RequireNotebookBaseAsync();
        if (Environment.UserName != "root" || !File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") || !File.Exists("/usr/bin/nsenter"))
            TestEnvironment.Missing("ENGINE FAULT TESTS SKIPPED: they start a dockerd of their own in a network namespace, which needs root, ip and nsenter.");
    }

    public DockerEngine Client() => new(Address, TimeSpan.FromSeconds(30));

    /// <summary>Runs the daemon with these settings (restarting it if it runs with others); the image is there afterwards.</summary>
    public async Task EnsureAsync(bool swarm, bool liveRestore)
    {
        if (Running && LiveRestore != liveRestore)
        {
            if (Swarm) await DockerAsync("swarm", "leave", "--force");
            await StopAsync();
        }
        if (!Running) await StartAsync(liveRestore);
        using (var client = Client())
        {
            var state = (await client.InfoAsync(CancellationToken.None)).Swarm?.LocalNodeState;
            if (swarm && state != "active") await DockerAsync("swarm", "init", "--advertise-addr", "127.0.0.1");
            // A new swarm takes a moment to have a leader and a ready node; work started before then is refused.
            for (var i = 0; swarm && i < 120; i++)
            {
                var info = await client.InfoAsync(CancellationToken.None);
                if (info.Swarm is { LocalNodeState: "active", ControlAvailable: true }
                    && (await DockerAsync("node", "ls", "--format", "{{.Status}} {{.Availability}}")).Trim() == "Ready Active") break;
                await Task.Delay(250);
            }
            if (!swarm && state == "active") await DockerAsync("swarm", "leave", "--force");
            Swarm = swarm;
            if (await client.ImageIdAsync("portal/notebook-base:latest", CancellationToken.None) is null)
                await TestEnvironment.RunAsync("/bin/sh", null, "-c",
                    $"docker -H unix:///var/run/docker.sock save portal/notebook-base:latest | docker -H unix://{Socket} load");
        }
        Swarm = swarm;
    }

    /// <summary>Starts the daemon (it must not run) and waits until it answers.</summary>
    public async Task StartAsync(bool? liveRestore = null)
    {
        LiveRestore = liveRestore ?? LiveRestore;
        if (!File.Exists($"/var/run/netns/{Namespace}"))
        {
            await TestEnvironment.RunAsync("ip", null, "netns", "add", Namespace);
            await TestEnvironment.RunAsync("ip", null, "-n", Namespace, "link", "set", "lo", "up");
        }
        // nsenter, not 'ip netns exec': that one mounts a fresh /sys, without the cgroup hierarchy dockerd needs.
        string[] args =
        [
            $"--net=/var/run/netns/{Namespace}", "dockerd", "--data-root", Path.Combine(_dir, "root"), "--exec-root", Path.Combine(_dir, "exec"),
            "-H", $"unix://{Socket}", "--pidfile", Path.Combine(_dir, "docker.pid"), .. LiveRestore ? new[] { "--live-restore" } : [],
        ];
        var start = _hidden.Count == 0
            ? new ProcessStartInfo("nsenter", args)
            : new ProcessStartInfo("unshare", ["--mount", "--propagation", "private", "--", "/bin/sh", "-c",
                string.Concat(_hidden.Select(h => $"mount -t tmpfs tmpfs '{h}' && ")) + "exec nsenter \"$@\"", "sh", .. args]);
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        _daemon = Process.Start(start)!;
        var log = Path.Combine(_dir, "dockerd.log");
        _daemon.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_dir) File.AppendAllText(log, e.Data + "\n"); };
        _daemon.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_dir) File.AppendAllText(log, e.Data + "\n"); };
        _daemon.BeginOutputReadLine();
        _daemon.BeginErrorReadLine();
        using var client = new DockerEngine(Address, TimeSpan.FromSeconds(2));
        for (var i = 0; i < 120; i++)
        {
            if (_daemon.HasExited) throw new InvalidOperationException($"dockerd exited: {Tail(log)}");
            try
            {
                await client.InfoAsync(CancellationToken.None);
                return;
            }
            catch (Portal.Core.Containers.ContainerManagerException) { await Task.Delay(500); }
        }
        throw new TimeoutException($"dockerd did not answer within 60 s: {Tail(log)}");
    }

    /// <summary>Stops the daemon as an operator does (SIGTERM) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_daemon is null || _daemon.HasExited) return;
        Process.Start("kill", ["-TERM", (await File.ReadAllTextAsync(Path.Combine(_dir, "docker.pid"))).Trim()])!.WaitForExit();
        await _daemon.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
    }

    public Task<string> DockerAsync(params string[] args) => TestEnvironment.RunAsync("docker", null, ["-H", $"unix://{Socket}", .. args]);

    private static string Tail(string log) => File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(15)) : "(no output)";

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Running && Swarm) await DockerAsync("swarm", "leave", "--force");
            if (Running)
            {
                // What the tests left is the daemon's to remove (containers of the private engine, with its data root).
                await TestEnvironment.RunAsync("/bin/sh", null, "-c", $"docker -H unix://{Socket} ps -aq | xargs -r docker -H unix://{Socket} rm -f");
            }
            await StopAsync();
        }
        finally
        {
            await TestEnvironment.RunAsync("/bin/sh", null, "-c",
                $"grep -o ' {_dir}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l; ip netns del {Namespace} 2>/dev/null; rm -rf {_dir}; true");
        }
    }
}
