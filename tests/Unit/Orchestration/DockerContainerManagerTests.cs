using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Orchestration.Containers;
using Portal.Orchestration.Docker;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Orchestration;

/// <summary>Plain containers (container_manager.type: docker) on the real dockerd, with the busybox test image.</summary>
public sealed class DockerContainerManagerTests : IDisposable
{
    private readonly DockerEngine _docker = RealDocker.Client();
    private readonly DockerContainerManager _manager;
    private readonly List<string> _started = [];

    public DockerContainerManagerTests() => _manager = (DockerContainerManager)RealDocker.Manager(_docker, "docker");

    private static CancellationToken Timeout(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private static WorkloadSpec Shell(string script) => new()
    {
        Name = "plain",
        Image = RealDocker.BusyboxImage,
        Command = ["/bin/sh", "-c", script],
        Labels = new Dictionary<string, string> { [PortalLabels.Kind] = "test" },
    };

    private async Task<string> StartAsync(WorkloadSpec spec)
    {
        var id = await _manager.StartAsync(spec, Timeout());
        _started.Add(id);
        return id;
    }

    private async Task<WorkloadStatus> WaitFinalAsync(string id)
    {
        var ct = Timeout(60);
        WorkloadStatus status;
        while (!(status = await _manager.GetStatusAsync(id, ct)).IsFinal) await Task.Delay(200, ct);
        return status;
    }

    [SkippableFact]
    public async Task User_code_runs_as_an_unprivileged_user_without_capabilities_and_cannot_gain_privileges()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        var status = await ProcessStatus.ReadAsync(_manager, await StartAsync(Shell(ProcessStatus.Script)), WaitFinalAsync);
        ProcessStatus.AssertUnprivileged(status);
    }

    [SkippableFact]
    public async Task Containers_are_off_the_host_network_they_reach_the_host_only_at_its_address_on_the_work_network()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        await HostReach.AssertOffTheHostNetworkAsync(new WorkNetwork(_docker, RealDocker.Config("docker")), StartAsync,
            async id => await ProcessStatus.ReadAsync(_manager, id, WaitFinalAsync));
    }

    [SkippableFact]
    public async Task A_container_runs_its_output_is_followed_to_the_end_and_it_is_found_by_its_labels()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        var id = await StartAsync(Shell("for i in 1 2 3; do echo out $i; sleep 0.2; done; echo err >&2") with { Labels = WorkloadLabels.Of("tests", "training", 77, "plain-one") });
        Assert.Contains(await _manager.ListOwnedAsync(Timeout()), w => w.Id == id && w.Labels[PortalLabels.RecordId] == "77");

        var lines = new List<LogLine>();
        await foreach (var line in _manager.ReadLogsAsync(id, follow: true, Timeout())) lines.Add(line);
        Assert.Equal(["out 1", "out 2", "out 3"], lines.Where(l => l.Stream == LogSource.Stdout).Select(l => l.Text));
        Assert.Equal(["err"], lines.Where(l => l.Stream == LogSource.Stderr).Select(l => l.Text));
        Assert.Equal(WorkloadState.Succeeded, (await WaitFinalAsync(id)).State);

        await _manager.RemoveAsync(id, Timeout());
        Assert.Equal(WorkloadState.Missing, (await _manager.GetStatusAsync(id, Timeout())).State);
    }

    [SkippableFact]
    public async Task Exit_codes_and_running_out_of_memory_are_reported_in_words()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        var failing = await StartAsync(Shell("exit 4"));
        var status = await WaitFinalAsync(failing);
        Assert.Equal(WorkloadState.Failed, status.State);
        Assert.Equal("The container exited with code 4.", status.Message);

        var hungry = await StartAsync(Shell("head -c 400m /dev/zero | tail") with { Resources = new ResourceProfile { Limits = new ResourceAmounts { Memory = 8 } } });
        var oom = await WaitFinalAsync(hungry);
        Assert.Equal(WorkloadState.Failed, oom.State);
        Assert.Contains("ran out of memory (its limit is 8 MB)", oom.Message);
    }

    [SkippableFact]
    public async Task Stop_ends_a_running_container_and_replicas_are_refused()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        var id = await StartAsync(Shell("echo up; sleep 300"));
        var ct = Timeout();
        while ((await _manager.GetStatusAsync(id, ct)).State != WorkloadState.Running) await Task.Delay(100, ct);
        await _manager.StopAsync(id, Timeout(30));
        Assert.Equal(WorkloadState.Stopped, (await _manager.GetStatusAsync(id, Timeout())).State);
        Assert.Equal("exited", (await _docker.CallAsync((c, t) => c.Containers.InspectContainerAsync(id, t), Timeout())).State!.Status);

        var e = await Assert.ThrowsAsync<ContainerManagerException>(() => _manager.StartAsync(Shell("true") with { Kind = WorkloadKind.Service, Replicas = 2 }, Timeout()));
        Assert.Contains("use container_manager.type: swarm", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    public void Dispose()
    {
        foreach (var id in _started)
        {
            try { _manager.RemoveAsync(id, CancellationToken.None).Wait(TimeSpan.FromSeconds(15)); }
            catch (AggregateException) { }
        }
        _docker.Dispose();
    }
}
