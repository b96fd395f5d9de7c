using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Orchestration.Local;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Orchestration;

/// <summary>The local manager with real processes.</summary>
public class LocalProcessManagerTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private LocalProcessManager _manager = default!;

    public Task InitializeAsync()
    {
        var config = new PortalConfig { Store = { DataDir = _dir.Path } };
        _manager = new LocalProcessManager(config, PortalPaths.From(config, _dir.Path));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _manager.DisposeAsync();
        _dir.Dispose();
    }

    private static WorkloadSpec Spec(params string[] command) => new() { Name = "t", Image = "ignored", Command = command };

    private async Task<WorkloadStatus> WaitAsync(string id)
    {
        for (var i = 0; i < 200; i++)
        {
            var status = await _manager.GetStatusAsync(id, CancellationToken.None);
            if (status.IsFinal) return status;
            await Task.Delay(50);
        }
        throw new TimeoutException($"{id} did not end");
    }

    private async Task<List<LogLine>> LogsAsync(string id)
    {
        var lines = new List<LogLine>();
        await foreach (var line in _manager.ReadLogsAsync(id, follow: true, CancellationToken.None)) lines.Add(line);
        return lines;
    }

    [Fact]
    public async Task User_code_gets_a_clean_environment_without_the_portal_secrets_or_loader_variables()
    {
        // What the portal's own environment holds (an admin password, say) must not reach user code.
        var secret = $"PORTAL_TEST_SECRET_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(secret, "hunter2");
        try
        {
            var spec = Spec("/bin/sh", "-c", "env") with
            {
                Env = new Dictionary<string, string> { ["GREETING"] = "hej", ["LD_PRELOAD"] = "/tmp/evil.so", ["PYTHONSTARTUP"] = "/tmp/evil.py" },
            };
            var id = await _manager.StartAsync(spec, CancellationToken.None);
            await WaitAsync(id);
            var env = (await LogsAsync(id)).Select(l => l.Text).ToList();
            Assert.Contains("GREETING=hej", env);
            Assert.Contains("PORTAL_BIND_ADDRESS=127.0.0.1", env);
            Assert.DoesNotContain(env, l => l.StartsWith(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(env, l => l.StartsWith("LD_PRELOAD=", StringComparison.Ordinal) || l.StartsWith("PYTHONSTARTUP=", StringComparison.Ordinal));
        }
        finally { Environment.SetEnvironmentVariable(secret, null); }
    }

    [SkippableFact]
    public async Task Under_a_root_portal_user_code_runs_as_an_unprivileged_account_that_cannot_read_the_database_or_the_keys()
    {
        if (!Environment.IsPrivilegedProcess)
            Portal.Tests.Shared.TestEnvironment.Missing("SKIPPED: the portal must run as root for the local manager to switch accounts (scripts/test.sh runs as root).");
        // What a data scientist's notebook went for when it ran as the portal: its database, its key ring, its folder.
        var paths = PortalPaths.From(new PortalConfig { Store = { DataDir = _dir.Path } }, _dir.Path);
        File.WriteAllText(paths.DatabaseFile, "the user table");
        Directory.CreateDirectory(Path.Combine(_dir.Path, "keys"));
        File.WriteAllText(Path.Combine(_dir.Path, "keys", "key-1.xml"), "the key ring");
        var script = $"id -u; cat {paths.DatabaseFile} || echo db:refused; ls {_dir.Path} || echo list:refused; " +
            $"cat {_dir.Path}/keys/key-1.xml || echo keys:refused; echo mine > $HOME/own.txt && cat $HOME/own.txt; grep -E '^(CapEff|NoNewPrivs)' /proc/self/status";
        var id = await _manager.StartAsync(Spec("/bin/sh", "-c", script), CancellationToken.None);
        Assert.Equal(WorkloadState.Succeeded, (await WaitAsync(id)).State);
        var lines = (await LogsAsync(id)).Select(l => l.Text).ToList();
        Assert.Equal(_manager.Account!.Uid.ToString(), lines[0]);
        Assert.NotEqual("0", lines[0]);
        Assert.Contains("db:refused", lines);
        Assert.Contains("list:refused", lines);
        Assert.Contains("keys:refused", lines);
        Assert.DoesNotContain(lines, l => l.Contains("the user table", StringComparison.Ordinal) || l.Contains("the key ring", StringComparison.Ordinal));
        Assert.Contains("mine", lines);
        Assert.Contains("CapEff:\t0000000000000000", lines);
        Assert.Contains("NoNewPrivs:\t1", lines);
    }

    [Fact]
    public async Task Profiles_larger_than_the_host_are_refused_and_the_cpu_limit_caps_thread_pools()
    {
        var huge = new ResourceProfile { Requests = new ResourceAmounts { Cpu = 4096 } };
        var e = await Assert.ThrowsAsync<ContainerManagerException>(() => _manager.StartAsync(Spec("/bin/true") with { Resources = huge }, CancellationToken.None));
        Assert.Contains("reserves 4096 CPUs but this host has", e.Message);
        var gpu = await Assert.ThrowsAsync<ContainerManagerException>(() => _manager.StartAsync(Spec("/bin/true") with { Resources = new ResourceProfile { EnableGpu = true } }, CancellationToken.None));
        Assert.Contains("GPU", gpu.Message);

        var limited = new ResourceProfile { Limits = new ResourceAmounts { Cpu = 1.5 } };
        var id = await _manager.StartAsync(Spec("/bin/sh", "-c", "echo threads=$OMP_NUM_THREADS/$OPENBLAS_NUM_THREADS") with { Resources = limited }, CancellationToken.None);
        await WaitAsync(id);
        var lines = new List<string>();
        await foreach (var line in _manager.ReadLogsAsync(id, follow: false, CancellationToken.None)) lines.Add(line.Text);
        Assert.Equal(["threads=1/1"], lines);
    }

    [Fact]
    public async Task Runs_a_process_and_keeps_stdout_and_stderr_apart()
    {
        var id = await _manager.StartAsync(Spec("sh", "-c", "echo one; echo two >&2; echo three"), CancellationToken.None);
        var lines = await LogsAsync(id);
        Assert.Equal(WorkloadState.Succeeded, (await WaitAsync(id)).State);
        Assert.Equal(["one", "three"], lines.Where(l => l.Stream == LogSource.Stdout).Select(l => l.Text));
        Assert.Equal(["two"], lines.Where(l => l.Stream == LogSource.Stderr).Select(l => l.Text));
    }

    [Fact]
    public async Task A_failing_process_says_its_exit_code()
    {
        var id = await _manager.StartAsync(Spec("sh", "-c", "exit 3"), CancellationToken.None);
        var status = await WaitAsync(id);
        Assert.Equal((WorkloadState.Failed, 3), (status.State, status.ExitCode));
        Assert.Contains("code 3", status.Message);
    }

    [Fact]
    public async Task Stopping_kills_the_process_tree()
    {
        var id = await _manager.StartAsync(Spec("sh", "-c", "sleep 60 & sleep 60; echo never"), CancellationToken.None);
        await Task.Delay(200);
        await _manager.StopAsync(id, CancellationToken.None);
        Assert.Equal(WorkloadState.Stopped, (await WaitAsync(id)).State);
        Assert.DoesNotContain(await LogsAsync(id), l => l.Text == "never");
    }

    [Fact]
    public async Task Mount_targets_in_arguments_environment_and_working_dir_become_host_paths()
    {
        var host = Directory.CreateDirectory(Path.Combine(_dir.Path, "work")).FullName;
        File.WriteAllText(Path.Combine(host, "in.txt"), "mounted");
        var id = await _manager.StartAsync(Spec("cat", "/portal/work/in.txt") with { Mounts = [new MountSpec(host, "/portal/work")] }, CancellationToken.None);
        Assert.Equal(["mounted"], (await LogsAsync(id)).Select(l => l.Text));

        id = await _manager.StartAsync(Spec("sh", "-c", "echo \" $WORK\"; pwd") with
        {
            Mounts = [new MountSpec(host, "/portal/work")],
            Env = new Dictionary<string, string> { ["WORK"] = "/portal/work/sub" },
            WorkingDir = "/portal/work",
        }, CancellationToken.None);
        var lines = await LogsAsync(id);
        await WaitAsync(id);
        Assert.Contains(lines, l => l.Text.Contains($" {host}/sub"));
        Assert.Contains(lines, l => l.Text == host);
    }

    [Fact]
    public async Task Replicated_services_are_refused_with_the_reason()
    {
        var e = await Assert.ThrowsAsync<ContainerManagerException>(() => _manager.StartAsync(Spec("true") with { Kind = WorkloadKind.Service, Replicas = 3 }, CancellationToken.None));
        Assert.Contains("3 replicas", e.Message);
    }

    [Fact]
    public async Task Unknown_workloads_are_missing_and_say_why()
    {
        var status = await _manager.GetStatusAsync("local-gone-1234", CancellationToken.None);
        Assert.Equal(WorkloadState.Missing, status.State);
        Assert.Contains("do not survive a restart", status.Message);
    }

    [Fact]
    public async Task Health_names_what_to_install_when_python_cannot_run_notebooks()
    {
        var config = new PortalConfig { ContainerManager = { LocalPython = "/nonexistent/python3" } };
        var manager = new LocalProcessManager(config, PortalPaths.From(config, _dir.Path));
        var health = await manager.CheckAsync(CancellationToken.None);
        Assert.False(health.Ready);
        Assert.Contains(health.Problems, p => p.Contains("apt-get install"));
    }

    [SkippableFact]
    public async Task Health_is_ready_with_debians_python()
    {
        RealPython.Require();
        var health = await _manager.CheckAsync(CancellationToken.None);
        Assert.True(health.Ready, string.Join(" ", health.Problems));
    }
}
