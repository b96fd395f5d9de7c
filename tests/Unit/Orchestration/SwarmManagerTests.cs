using Docker.DotNet.Models;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Orchestration.Docker;
using Portal.Orchestration.Swarm;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Orchestration;

/// <summary>The Swarm manager against the real dockerd in swarm mode, with a busybox image built by the tests.</summary>
[Collection(WholeNode.Name)]
public sealed class SwarmManagerTests : IDisposable
{
    private readonly DockerEngine _docker = RealDocker.Client();
    private readonly SwarmManager _manager;
    private readonly List<string> _started = [];
    private readonly TempDir _dir = new();

    public SwarmManagerTests() => _manager = (SwarmManager)RealDocker.Manager(_docker, "swarm", _dir.Path);

    private static CancellationToken Timeout(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private async Task<string> StartAsync(WorkloadSpec spec)
    {
        var id = await _manager.StartAsync(spec, Timeout());
        _started.Add(id);
        return id;
    }

    private static WorkloadSpec Shell(string script, string name = "test") => new()
    {
        Name = name,
        Image = RealDocker.BusyboxImage,
        Command = ["/bin/sh", "-c", script],
        Labels = new Dictionary<string, string> { [PortalLabels.Kind] = "test" },
    };

    private async Task<WorkloadStatus> WaitFinalAsync(string id)
    {
        var ct = Timeout(90);
        WorkloadStatus status;
        while (!(status = await _manager.GetStatusAsync(id, ct)).IsFinal) await Task.Delay(250, ct);
        return status;
    }

    [SkippableFact]
    public async Task User_code_runs_as_an_unprivileged_user_without_capabilities_and_cannot_gain_privileges()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        var status = await ProcessStatus.ReadAsync(_manager, await StartAsync(Shell(ProcessStatus.Script)), WaitFinalAsync);
        // An empty bounding set: a setuid program gains no capability either.
        Assert.Contains("CapBnd:\t0000000000000000", status);
        // Services get no-new-privileges from API 1.46 (Docker 27) on; older engines ignore the field.
        await _docker.InfoAsync(Timeout());
        ProcessStatus.AssertUnprivileged(status, noNewPrivileges: System.Version.Parse(_docker.ApiVersion!) >= new System.Version(1, 46));
    }

    [SkippableFact]
    public async Task Check_reports_the_engine_and_an_active_swarm()
    {
        await RealDocker.RequireAsync();
        var health = await _manager.CheckAsync(Timeout());
        Assert.True(health.Ready, string.Join("; ", health.Problems));
        Assert.Contains("swarm active", health.Summary);
        Assert.Contains("work runs on this node", health.Summary);
        Assert.Matches(@"API 1\.4\d", health.Summary);
    }

    [SkippableFact]
    public async Task A_task_runs_once_its_output_is_followed_in_order_and_it_succeeds()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        var id = await StartAsync(Shell("for i in $(seq 1 200); do echo line $i; done; echo oops >&2; sleep 1; echo último"));

        var lines = new List<LogLine>();
        await foreach (var line in _manager.ReadLogsAsync(id, follow: true, Timeout(90))) lines.Add(line);

        var stdout = lines.Where(l => l.Stream == LogSource.Stdout).Select(l => l.Text).ToList();
        Assert.Equal([.. Enumerable.Range(1, 200).Select(i => $"line {i}"), "último"], stdout);
        Assert.Equal(["oops"], lines.Where(l => l.Stream == LogSource.Stderr).Select(l => l.Text));
        Assert.All(lines, l => Assert.InRange(l.Timestamp, DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(1)));
        var status = await WaitFinalAsync(id);
        Assert.Equal(WorkloadState.Succeeded, status.State);
        Assert.Equal(0, status.ExitCode);
    }

    [SkippableFact]
    public async Task A_failing_task_is_not_restarted_and_reports_its_exit_code()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        var id = await StartAsync(Shell("echo failing; exit 3"));
        var status = await WaitFinalAsync(id);
        Assert.Equal(WorkloadState.Failed, status.State);
        Assert.Equal(3, status.ExitCode);
        Assert.Equal("The container exited with code 3.", status.Message);
        await Task.Delay(1500);
        Assert.Single(await _manager.TasksAsync(id, Timeout()));
    }

    [SkippableFact]
    public async Task Labels_mounts_env_and_resources_reach_the_service_and_the_portal_finds_it_again()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        var work = Directory.CreateDirectory(Path.Combine(_dir.Path, "work")).FullName;
        var data = _dir.File("data/input.txt", "from the host\n");
        var spec = Shell("cat /data/input.txt > /work/out.txt; echo \"$GREETING\" >> /work/out.txt; pwd >> /work/out.txt") with
        {
            Env = new Dictionary<string, string> { ["GREETING"] = "hej å" },
            Mounts = [new MountSpec(work, "/work"), new MountSpec(Path.GetDirectoryName(data)!, "/data", ReadOnly: true)],
            WorkingDir = "/work",
            Resources = new ResourceProfile
            {
                Requests = new ResourceAmounts { Cpu = 0.25, Memory = 64 },
                Limits = new ResourceAmounts { Cpu = 0.5, Memory = 128 },
            },
            Labels = WorkloadLabels.Of("tests", "training", 4242, "swift-otter", "iris"),
        };
        var id = await StartAsync(spec);

        var owned = await _manager.ListOwnedAsync(Timeout());
        var mine = Assert.Single(owned, w => w.Id == id);
        Assert.Equal("4242", mine.Labels[PortalLabels.RecordId]);
        Assert.Equal(PortalLabels.OwnerValue, mine.Labels[PortalLabels.Owner]);
        Assert.StartsWith("portal-test-", mine.Name);

        var service = await _docker.CallAsync((c, t) => c.Swarm.InspectServiceAsync(id, t), Timeout());
        var resources = service.Spec!.TaskTemplate!.Resources!;
        Assert.Equal(500_000_000L, resources.Limits!.NanoCPUs);
        Assert.Equal(128L * 1024 * 1024, resources.Limits.MemoryBytes);
        Assert.Equal(250_000_000L, resources.Reservations!.NanoCPUs);
        Assert.Equal("none", service.Spec.TaskTemplate.RestartPolicy!.Condition);

        Assert.Equal(WorkloadState.Succeeded, (await WaitFinalAsync(id)).State);
        Assert.Equal("from the host\nhej å\n/work\n", await File.ReadAllTextAsync(Path.Combine(work, "out.txt")));
    }

    [SkippableFact]
    public async Task Tasks_are_off_the_host_network_they_reach_the_host_only_at_its_address_on_the_work_network()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        await HostReach.AssertOffTheHostNetworkAsync(new WorkNetwork(_docker, RealDocker.Config("swarm")), StartAsync,
            async id => await ProcessStatus.ReadAsync(_manager, id, WaitFinalAsync));
    }

    [SkippableFact]
    public async Task Stop_ends_a_running_task_and_its_status_says_stopped()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        var id = await StartAsync(Shell("echo started; sleep 300"));
        var ct = Timeout(60);
        while ((await _manager.GetStatusAsync(id, ct)).State != WorkloadState.Running) await Task.Delay(200, ct);

        var follow = Task.Run(async () =>
        {
            var seen = new List<string>();
            await foreach (var line in _manager.ReadLogsAsync(id, follow: true, Timeout(60))) seen.Add(line.Text);
            return seen;
        });
        await Task.Delay(1000);
        await _manager.StopAsync(id, Timeout());
        Assert.Equal(WorkloadState.Stopped, (await _manager.GetStatusAsync(id, Timeout())).State);
        Assert.Contains("started", await follow.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Null(await _docker.FindAsync((c, t) => c.Swarm.InspectServiceAsync(id, t), Timeout()));
        // No container of it keeps running after the service is gone.
        var running = await _docker.CallAsync((c, t) => c.Containers.ListContainersAsync(new ContainersListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"com.docker.swarm.service.id={id}"] = true },
            },
        }, t), Timeout());
        Assert.Empty(running);
    }

    [SkippableFact]
    public async Task A_task_waiting_for_room_says_so_in_its_status()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        var everything = new ResourceProfile { Requests = new ResourceAmounts { Cpu = await RoomAsync() } };
        var first = await StartAsync(Shell("sleep 60") with { Resources = everything });
        await UntilAsync(first, s => s.State == WorkloadState.Running, "running");

        var second = await StartAsync(Shell("true") with { Resources = everything });
        var status = await UntilAsync(second, s => s.Message?.Contains("insufficient resources") == true, "waiting for room");
        Assert.Equal(WorkloadState.Pending, status.State);
        Assert.StartsWith("No node has the CPU or memory the resource profile reserves", status.Message);

        await _manager.StopAsync(first, Timeout());
        Assert.Equal(WorkloadState.Succeeded, (await UntilAsync(second, s => s.IsFinal, "ended")).State);
    }

    [SkippableFact]
    public async Task A_finished_task_holds_no_reservation_so_a_node_update_leaves_running_work_alone()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        // A finished task that reserved the whole node, its service removed as the supervisor does.
        var finished = await StartAsync(Shell("true") with { Resources = new ResourceProfile { Requests = new ResourceAmounts { Cpu = await RoomAsync() } } });
        Assert.Equal(WorkloadState.Succeeded, (await UntilAsync(finished, s => s.IsFinal, "ended")).State);
        await _manager.RemoveAsync(finished, Timeout());
        // The swarm counts a task's reservation while its desired state is at most "complete" (a job's finished task
        // stays there for good, moby/moby#52652); the removed service's task must leave that range.
        var held = await HeldTasksOfAsync(finished);
        for (var i = 0; i < 40 && held.Count > 0; i++)
        {
            await Task.Delay(250);
            held = await HeldTasksOfAsync(finished);
        }
        Assert.True(held.Count == 0, $"the removed task still holds its reservation: {string.Join(", ", held)}");

        var running = await StartAsync(Shell("sleep 30") with { Resources = new ResourceProfile { Requests = new ResourceAmounts { Cpu = 0.1 } } });
        await UntilAsync(running, s => s.State == WorkloadState.Running, "running");
        var ct = Timeout(90);

        // Any change to the node makes the swarm re-check every task on it against what the node can hold; a job's
        // finished task would still count there (moby/moby#52652) and the running task would be rejected.
        var node = (await Portal.Tests.Shared.TestEnvironment.RunAsync("docker", null, "info", "--format", "{{.Swarm.NodeID}}")).Trim();
        var label = $"portal-test-{Guid.NewGuid():N}";
        await Portal.Tests.Shared.TestEnvironment.RunAsync("docker", null, "node", "update", "--label-add", $"{label}=1", node);
        try
        {
            await Task.Delay(3000, ct);
            var status = await _manager.GetStatusAsync(running, ct);
            Assert.True(status.State == WorkloadState.Running, $"the running task was {status.State}: {status.Message}. "
                + (StaleJobReservations.Describe(await _docker.CallAsync((c, t) => c.Tasks.ListAsync(t), ct)) ?? "No finished job task holds a reservation on this swarm."));
        }
        finally
        {
            await Portal.Tests.Shared.TestEnvironment.RunAsync("docker", null, "node", "update", "--label-rm", label, node);
        }
    }

    /// <summary>
    /// The CPUs of the node no other work reserves. Tests of other collections may leave work behind that still runs (a
    /// portal stopped mid-training leaves its run going, and nha-train reserves a CPU): it is given two minutes to end, and
    /// what it still holds then is left to it.
    /// </summary>
    private async Task<double> RoomAsync()
    {
        var cpus = (await _docker.InfoAsync(Timeout())).NCPU;
        var held = await OthersReservationsAsync();
        for (var i = 0; i < 240 && held.Count > 0; i++)
        {
            await Task.Delay(500);
            held = await OthersReservationsAsync();
        }
        var free = cpus - held.Sum(h => h.Cpus);
        Console.WriteLine($"Room for the whole-node test: {free} of {cpus} CPUs" + (held.Count == 0 ? "" : $"; still reserved by {string.Join(", ", held)}"));
        Assert.True(free >= 0.5, $"other work reserves the node's CPUs: {string.Join(", ", held)}");
        return Math.Floor(free * 1000) / 1000;
    }

    /// <summary>Running or starting tasks of other services that reserve CPUs, with their service's name.</summary>
    private async Task<List<(string Service, double Cpus)>> OthersReservationsAsync()
    {
        var tasks = await _docker.CallAsync((c, t) => c.Tasks.ListAsync(t), Timeout());
        var services = (await _docker.CallAsync((c, t) => c.Swarm.ListServicesAsync(null, t), Timeout())).ToDictionary(s => s.ID, s => s.Spec?.Name ?? s.ID);
        return [.. tasks
            .Where(t => t.ServiceID is { } service && !_started.Contains(service) && t.DesiredState == TaskState.Running
                && t.Status?.State is not (TaskState.Complete or TaskState.Failed or TaskState.Rejected or TaskState.Shutdown or TaskState.Orphaned or TaskState.Remove))
            .Select(t => (Service: services.GetValueOrDefault(t.ServiceID!) ?? t.ServiceID!, Cpus: (t.Spec?.Resources?.Reservations?.NanoCPUs ?? 0) / 1e9))
            .Where(r => r.Cpus > 0)];
    }

    /// <summary>Waits up to 90 s for the workload's status to meet <paramref name="condition"/>; a timeout says what it was and who reserves the node.</summary>
    private async Task<WorkloadStatus> UntilAsync(string id, Func<WorkloadStatus, bool> condition, string what)
    {
        var status = await _manager.GetStatusAsync(id, Timeout());
        for (var i = 0; i < 450 && !condition(status); i++)
        {
            await Task.Delay(200);
            status = await _manager.GetStatusAsync(id, Timeout());
        }
        Assert.True(condition(status), $"the task was not {what} after 90 s: {status.State} ({status.Message}); other reservations: "
            + string.Join(", ", await OthersReservationsAsync()));
        return status;
    }

    /// <summary>The tasks of a service whose desired state keeps their reservation counted (new up to complete).</summary>
    private async Task<List<string>> HeldTasksOfAsync(string serviceId) =>
        (await _docker.CallAsync((c, t) => c.Tasks.ListAsync(t), Timeout()))
            .Where(t => t.ServiceID == serviceId
                && t.DesiredState is not (TaskState.Shutdown or TaskState.Remove or TaskState.Orphaned or TaskState.Rejected or TaskState.Failed))
            .Select(t => $"{t.ID} (desired {t.DesiredState})").ToList();

    [SkippableFact]
    public async Task A_service_runs_its_replicas()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        var id = await StartAsync(Shell("sleep 300") with { Kind = WorkloadKind.Service, Replicas = 2 });
        var ct = Timeout(60);
        WorkloadStatus status;
        while ((status = await _manager.GetStatusAsync(id, ct)).RunningReplicas < 2) await Task.Delay(250, ct);
        Assert.Equal(WorkloadState.Running, status.State);
        Assert.Equal(2, status.DesiredReplicas);
        await _manager.RemoveAsync(id, Timeout());
        Assert.Equal(WorkloadState.Missing, (await _manager.GetStatusAsync(id, Timeout())).State);
    }

    [SkippableFact]
    public async Task Impossible_requests_and_missing_things_are_refused_before_anything_starts()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        // Other test classes start services on the same engine at the same time: count only this class's (portal-test-…).
        async Task<int> MineAsync() => (await _manager.ListOwnedAsync(Timeout())).Count(w => w.Name.StartsWith("portal-test-", StringComparison.Ordinal));
        var before = await MineAsync();

        var cpu = await Assert.ThrowsAsync<ContainerManagerException>(() => _manager.StartAsync(
            Shell("true") with { Resources = new ResourceProfile { Requests = new ResourceAmounts { Cpu = 4096 } } }, Timeout()));
        Assert.Contains("reserves 4096 CPUs", cpu.Message);

        var memory = await Assert.ThrowsAsync<ContainerManagerException>(() => _manager.StartAsync(
            Shell("true") with { Resources = new ResourceProfile { Requests = new ResourceAmounts { Memory = 64 * 1024 * 1024 } } }, Timeout()));
        Assert.Contains("MB of memory", memory.Message);

        var image = await Assert.ThrowsAsync<ContainerManagerException>(() => _manager.StartAsync(Shell("true") with { Image = "portal-test/never-built:0" }, Timeout()));
        Assert.Contains("'portal-test/never-built:0' is not on this host", image.Message);

        var mount = await Assert.ThrowsAsync<ContainerManagerException>(() => _manager.StartAsync(
            Shell("true") with { Mounts = [new MountSpec("/nonexistent/portal", "/x")] }, Timeout()));
        Assert.Contains("'/nonexistent/portal' does not exist", mount.Message);

        var gpu = await Assert.ThrowsAsync<ContainerManagerException>(() => _manager.StartAsync(Shell("true") with { Resources = new ResourceProfile { EnableGpu = true } }, Timeout()));
        Assert.Contains("GPU", gpu.Message);

        Assert.Equal(before, await MineAsync());
    }

    [SkippableFact]
    public async Task A_build_streams_its_output_and_a_broken_dockerfile_says_what_failed()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        _dir.File("ctx/Dockerfile", $"FROM {RealDocker.BusyboxImage}\nCOPY hello.txt /hello.txt\nRUN cat /hello.txt\n");
        var marker = Guid.NewGuid().ToString("N");
        _dir.File("ctx/hello.txt", $"hello from the context {marker}");
        _dir.File("ctx/.dockerignore", "secret.txt\n");
        _dir.File("ctx/secret.txt", "never sent");
        var output = new List<string>();
        await using (var context = Portal.Orchestration.Builds.BuildContext.Open(Path.Combine(_dir.Path, "ctx"), Timeout()))
        {
            var imageId = await _docker.BuildImageAsync(context, "portal-test/built:1", "Dockerfile", line => { output.Add(line); return Task.CompletedTask; }, Timeout(120));
            Assert.StartsWith("sha256:", imageId);
        }
        Assert.Contains(output, l => l.Contains($"hello from the context {marker}"));

        _dir.File("ctx/Dockerfile", $"FROM {RealDocker.BusyboxImage}\nCOPY secret.txt /s\n");
        await using var broken = Portal.Orchestration.Builds.BuildContext.Open(Path.Combine(_dir.Path, "ctx"), Timeout());
        var e = await Assert.ThrowsAsync<ContainerManagerException>(() => _docker.BuildImageAsync(broken, "portal-test/built:2", "Dockerfile", _ => Task.CompletedTask, Timeout(120)));
        Assert.Contains("The image build failed", e.Message);
        Assert.Contains("secret.txt", e.Message);
    }

    [Fact]
    public async Task An_unreachable_daemon_is_reported_as_such()
    {
        using var docker = new DockerEngine("unix:/tmp/portal-no-such-docker.sock", TimeSpan.FromSeconds(5));
        var health = await RealDocker.Manager(docker, "swarm").CheckAsync(CancellationToken.None);
        Assert.False(health.Ready);
        Assert.Contains("is not reachable", Assert.Single(health.Problems));
        Assert.Contains("Is dockerd running", health.Problems[0]);
    }

    [Theory]
    [InlineData("This node is not a swarm manager. Use \"docker swarm init\"", "docker swarm init --advertise-addr 127.0.0.1")]
    [InlineData("No such image: x:1", "Build the project first")]
    [InlineData("Bind for 0.0.0.0:8080 failed: port is already allocated", "Choose another port")]
    [InlineData("no suitable node (insufficient resources on 1 node)", "Choose a smaller profile")]
    public void Daemon_errors_become_sentences_with_what_to_do(string daemon, string expected) =>
        Assert.Contains(expected, DockerEngine.Explain(System.Net.HttpStatusCode.BadRequest, daemon));

    [Fact]
    public void Work_that_mounts_the_portals_folders_stays_on_the_portals_node_and_work_that_fetches_goes_anywhere()
    {
        var mounting = SwarmServiceSpec.Build("portal-x", Shell("true") with { Mounts = [new MountSpec("/srv/data", "/data")] }, "worknet", "node-1");
        Assert.Equal(["node.id==node-1"], mounting.TaskTemplate!.Placement!.Constraints);
        var fetching = SwarmServiceSpec.Build("portal-y", Shell("true") with { AnyNode = true }, "worknet", "node-1");
        Assert.Null(fetching.TaskTemplate!.Placement);
        Assert.Null(SwarmServiceSpec.Build("portal-z", Shell("true"), "worknet", portalNode: null).TaskTemplate!.Placement);
    }

    [Fact]
    public void Specs_map_tasks_to_one_replica_that_never_restarts_and_services_to_replicas()
    {
        var task = SwarmServiceSpec.Build("portal-x", Shell("true") with { Replicas = 3, User = "1000:1000" }, "worknet");
        Assert.Null(task.Mode!.ReplicatedJob);
        Assert.Equal(1UL, task.Mode.Replicated!.Replicas);
        Assert.Equal("none", task.TaskTemplate!.RestartPolicy!.Condition);
        Assert.True(SwarmServiceSpec.RunsOnce(task));
        Assert.Equal("worknet", Assert.Single(task.TaskTemplate.Networks!).Target);
        Assert.Equal("1000:1000", task.TaskTemplate.ContainerSpec!.User);
        Assert.True(task.TaskTemplate.ContainerSpec.Privileges!.NoNewPrivileges);
        Assert.Equal(["ALL"], task.TaskTemplate.ContainerSpec.CapabilityDrop);
        Assert.Equal(PortalLabels.OwnerValue, task.Labels![PortalLabels.Owner]);

        var service = SwarmServiceSpec.Build("portal-y", Shell("true") with { Kind = WorkloadKind.Service, Replicas = 3, Ports = [new PortSpec(8080)] }, "worknet");
        Assert.Equal(3UL, service.Mode!.Replicated!.Replicas);
        Assert.False(SwarmServiceSpec.RunsOnce(service));
        Assert.True(SwarmServiceSpec.RunsOnce(new ServiceSpec { Mode = new ServiceMode { ReplicatedJob = new ReplicatedJob { TotalCompletions = 1 } } }),
            "a job made by an earlier portal");
        Assert.Equal("worknet", Assert.Single(service.TaskTemplate!.Networks!).Target);
        Assert.Equal(8080U, Assert.Single(service.EndpointSpec!.Ports!).TargetPort);
        Assert.Equal("host", service.EndpointSpec.Ports![0].PublishMode);
        var none = SwarmServiceSpec.Resources(null);
        Assert.Null(none.Limits);
        Assert.Null(none.Reservations);
        Assert.Equal(1_500_000_000L, SwarmServiceSpec.Resources(new ResourceProfile { Limits = new ResourceAmounts { Cpu = 1.5 } }).Limits!.NanoCPUs);
    }

    public void Dispose()
    {
        foreach (var id in _started)
        {
            try { _manager.RemoveAsync(id, CancellationToken.None).Wait(TimeSpan.FromSeconds(10)); }
            catch (AggregateException) { }
        }
        _docker.Dispose();
        _dir.Dispose();
    }
}
