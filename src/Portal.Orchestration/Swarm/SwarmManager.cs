using System.Globalization;
using System.Runtime.CompilerServices;
using Docker.DotNet.Models;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Orchestration.Containers;
using Portal.Orchestration.Docker;

namespace Portal.Orchestration.Swarm;

/// <summary>
/// Runs workloads as Docker Swarm services: trainings as one replica that never restarts, long-running work as
/// replicated services. Everything carries the portal's labels, so after a restart the portal finds its services
/// again and continues following them. Services are named <c>portal-{name}-{random}</c> so reruns never collide.
/// </summary>
public sealed class SwarmManager(DockerEngine docker, WorkNetwork network, ContainerUser user) : IContainerManager, IServiceControl
{
    private const int StopGraceSeconds = 10;
    /// <summary>The engine has no event for a task's state: one poll per watched workload.</summary>
    private static readonly TimeSpan StatusPoll = TimeSpan.FromMilliseconds(200);

    // Stopping removes the service: a task that runs once has nothing to scale back to.
    private readonly StopRequests _stops = new();

    public ManagerCapabilities Capabilities { get; } = new() { Kind = "swarm", Containers = true, Replicas = true, RollingUpdate = true, NamedVolumes = true };

    public async Task<ManagerHealth> CheckAsync(CancellationToken ct)
    {
        SystemInfoResponse info;
        try { info = await docker.InfoAsync(ct); }
        catch (ContainerManagerException e) { return new ManagerHealth(false, "Docker is not reachable.", [e.Message]); }
        var engine = string.Create(CultureInfo.InvariantCulture,
            $"Docker {info.ServerVersion} at {docker.Address}, {info.NCPU} CPUs, {info.MemTotal / (1024.0 * 1024 * 1024):0.#} GiB");
        if (info.Swarm?.LocalNodeState != "active")
            return new ManagerHealth(false, $"{engine}: not in swarm mode.",
                [$"The engine's swarm state is '{(info.Swarm?.LocalNodeState is { Length: > 0 } state ? state : "unknown")}'. Run 'docker swarm " +
                 "init --advertise-addr 127.0.0.1' on the portal's host, or set container_manager.type: docker to run plain containers on " +
                 "this engine (or local for host processes)."]);
        if (!info.Swarm.ControlAvailable)
            return new ManagerHealth(false, $"{engine}: this node is a swarm worker.",
                ["The portal must talk to a swarm manager node: point docker.daemon_address at a manager."]);
        var summary = $"{engine}, swarm active (API {docker.ApiVersion}){await PlacementAsync(ct)}.";
        IList<TaskResponse> tasks;
        try { tasks = await docker.CallAsync((c, t) => c.Tasks.ListAsync(t), ct); }
        catch (ContainerManagerException) { return ManagerHealth.Ok(summary); } // the warning below is extra; the engine itself answered
        return StaleJobReservations.Describe(tasks) is { } stale ? new ManagerHealth(true, summary, [stale]) : ManagerHealth.Ok(summary);
    }

    public async Task<string> StartAsync(WorkloadSpec spec, CancellationToken ct)
    {
        spec = user.Apply(await EnginePreflight.PrepareAsync(docker, spec, "this swarm node", ct));
        var name = EnginePreflight.WorkloadName(spec);
        var networkId = await network.EnsureAsync(ct);
        var service = SwarmServiceSpec.Build(name, spec, networkId, await PortalNodeAsync(ct));
        var created = await docker.CallAsync((c, t) => c.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = service }, t), ct);
        return created.ID ?? throw new ContainerManagerException($"The engine created '{name}' without an id.");
    }

    public async Task<WorkloadStatus> GetStatusAsync(string id, CancellationToken ct)
    {
        if (_stops.Contains(id)) return StopRequests.Status;
        var service = await InspectAsync(id, ct);
        if (service is null)
            return new WorkloadStatus(WorkloadState.Missing,
                Message: "Its swarm service no longer exists (removed outside the portal, or the swarm was reset).");
        var tasks = await TasksAsync(id, ct);
        if (SwarmServiceSpec.RunsOnce(service.Spec)) return await TaskStatusAsync(tasks, ct);
        return SwarmTaskStatus.ForService(tasks, (int)(service.Spec?.Mode?.Replicated?.Replicas ?? 1));
    }

    /// <summary>
    /// A task's status. The swarm learns of a container's exit some 400 ms after its engine does; while it has not, a
    /// container on this node that has exited tells the end at once.
    /// </summary>
    private async Task<WorkloadStatus> TaskStatusAsync(IList<TaskResponse> tasks, CancellationToken ct)
    {
        var status = SwarmTaskStatus.ForTask(tasks);
        if (status.State != WorkloadState.Running
            || tasks.OrderByDescending(t => t.CreatedAt).First().Status?.ContainerStatus?.ContainerID is not { Length: > 0 } container)
            return status;
        return await docker.FindAsync((c, t) => c.Containers.InspectContainerAsync(container, t), ct) is { State.Status: "exited" or "dead" } ended
            ? DockerContainerManager.StatusOf(ended)
            : status;
    }

    public IAsyncEnumerable<WorkloadStatus> WatchAsync(string id, CancellationToken ct) =>
        StatusChanges.WatchAsync(t => GetStatusAsync(id, t), StatusChanges.Every(StatusPoll), ct);

    /// <summary>
    /// The workload's output. A task that runs once on this node is read from its container (waiting for it to exist),
    /// whose followed log ends when it exits, as on every manager; anything else from the service's log, which the engine
    /// keeps open after a task ends (a follower of a task on another node stops reading at its end).
    /// </summary>
    public async IAsyncEnumerable<LogLine> ReadLogsAsync(string id, bool follow, [EnumeratorCancellation] CancellationToken ct)
    {
        var service = await InspectAsync(id, ct);
        if (service is null) yield break;
        var lines = SwarmServiceSpec.RunsOnce(service.Spec) ? await TaskLogsAsync(id, follow, ct) : ServiceLogsAsync(id, follow, ct);
        await foreach (var line in lines) yield return line;
    }

    private async Task<IAsyncEnumerable<LogLine>> TaskLogsAsync(string id, bool follow, CancellationToken ct)
    {
        var here = await PortalNodeAsync(ct);
        while (true)
        {
            var newest = (await TasksAsync(id, ct)).OrderByDescending(t => t.CreatedAt).FirstOrDefault();
            if (newest?.NodeID is { Length: > 0 } node && node != here) return ServiceLogsAsync(id, follow, ct);
            // The task names its container before this node has made and started it, and a followed log of a container not
            // started yet ends at once: wait until it has started.
            if (newest?.Status?.ContainerStatus?.ContainerID is { Length: > 0 } container
                && await docker.FindAsync((c, t) => c.Containers.InspectContainerAsync(container, t), ct) is { State.Status: not "created" })
                return DockerContainerManager.ContainerLogsAsync(docker, container, follow, ct);
            // No container (pulling, waiting for room): wait for one, unless the task ended without.
            if (!follow || (await GetStatusAsync(id, ct)).IsFinal) return ServiceLogsAsync(id, follow: false, ct);
            await Task.Delay(StatusPoll, ct);
        }
    }

    private IAsyncEnumerable<LogLine> ServiceLogsAsync(string id, bool follow, CancellationToken ct)
    {
        var parameters = new ServiceLogsParameters { ShowStdout = true, ShowStderr = true, Timestamps = true, Follow = follow };
        return docker.LogsAsync((c, t) => c.Swarm.GetServiceLogsAsync(id, false, parameters, t), ct);
    }

    public Task StopAsync(string id, CancellationToken ct) => _stops.StopAsync(id, () => StopAndRemoveAsync(id, ct));

    public Task RemoveAsync(string id, CancellationToken ct) => _stops.RemoveAsync(id, () => StopAndRemoveAsync(id, ct));

    /// <summary>
    /// The containers this node runs for the service are stopped first, with the grace period, so the exit is the
    /// same on every engine: removing a job made by an earlier portal leaves its running container behind on Docker
    /// 20.10 (containers on other nodes are stopped by their agents when the service goes).
    /// </summary>
    private async Task StopAndRemoveAsync(string id, CancellationToken ct)
    {
        if (await InspectAsync(id, ct) is null) return;
        var containers = (await TasksAsync(id, ct))
            .Where(t => t.Status?.State is TaskState.Running or TaskState.Starting or TaskState.Preparing)
            .Select(t => t.Status?.ContainerStatus?.ContainerID)
            .OfType<string>().ToList();
        await Task.WhenAll(containers.Select(c => DockerContainerManager.StopContainerAsync(docker, c, StopGraceSeconds, ct)));
        try { await docker.CallAsync((c, t) => c.Swarm.RemoveServiceAsync(id, t), ct); }
        catch (ContainerManagerException e) when (e.IsNotFound()) { }
    }

    /// <summary>Each replica answers on its node's address (the one the swarm knows it by) at the port its node published.</summary>
    public async Task<IReadOnlyList<Replica>> ListReplicasAsync(string id, CancellationToken ct)
    {
        var tasks = (await TasksAsync(id, ct)).Where(t => t.DesiredState == TaskState.Running).ToList();
        var addresses = tasks.Any(t => t.Status?.State == TaskState.Running) ? await NodeAddressesAsync(ct) : [];
        return [.. tasks.Select(t =>
        {
            var state = t.Status?.State;
            var port = t.Status?.PortStatus?.Ports?.FirstOrDefault()?.PublishedPort;
            var host = t.NodeID is { } node && addresses.TryGetValue(node, out var address) ? address : "127.0.0.1";
            return new Replica(t.ID,
                state == TaskState.Running ? WorkloadState.Running : state is TaskState.Failed or TaskState.Rejected ? WorkloadState.Failed : WorkloadState.Pending,
                state == TaskState.Running && port is { } p ? string.Create(CultureInfo.InvariantCulture, $"http://{host}:{p}") : null,
                t.Status?.Err);
        })];
    }

    /// <summary>
    /// Work may land elsewhere unless the portal's node is the only one that takes work. Asked at each launch: nodes join,
    /// leave and drain while the portal runs.
    /// </summary>
    public async Task<bool> MayRunElsewhereAsync(CancellationToken ct) => MayRunElsewhere(await NodesAsync(ct), await PortalNodeAsync(ct));

    private static bool MayRunElsewhere(IList<NodeListResponse> nodes, string? here)
    {
        var taking = nodes.Where(TakesWork).Select(n => n.ID).ToList();
        return taking.Count != 1 || taking[0] != here;
    }

    /// <summary>What an admin needs to know of the other nodes: work there fetches its files, and needs its images there.</summary>
    private async Task<string> PlacementAsync(CancellationToken ct)
    {
        try
        {
            var nodes = await NodesAsync(ct);
            var ready = nodes.Count(TakesWork);
            return MayRunElsewhere(nodes, await PortalNodeAsync(ct))
                ? $", {ready.ToString(CultureInfo.InvariantCulture)} nodes take work: trainings and deployments fetch their files " +
                  "through the portal, and each node needs their images"
                : ", work runs on this node";
        }
        catch (ContainerManagerException) { return ""; }
    }

    /// <summary>The node of the engine the portal talks to: the portal's own when it talks to its host's engine.</summary>
    private async Task<string?> PortalNodeAsync(CancellationToken ct) =>
        (await docker.InfoAsync(ct)).Swarm?.NodeID is { Length: > 0 } id ? id : null;

    private static bool TakesWork(NodeListResponse node) => node.Status?.State == "ready" && node.Spec?.Availability == "active";

    private Task<IList<NodeListResponse>> NodesAsync(CancellationToken ct) => docker.CallAsync((c, t) => c.Swarm.ListNodesAsync(t), ct);

    /// <summary>Node id to the address other hosts reach it at; nodes that advertise none are left out (loopback then).</summary>
    private async Task<Dictionary<string, string>> NodeAddressesAsync(CancellationToken ct) =>
        (await NodesAsync(ct)).Select(n => (n.ID, Addr: n.Status?.Addr)).Where(n => n.Addr is { Length: > 0 } and not "0.0.0.0")
            .ToDictionary(n => n.ID, n => n.Addr!);

    public async Task ScaleAsync(string id, int replicas, CancellationToken ct)
    {
        if (replicas < 0) throw new ContainerManagerException($"A service cannot run {replicas} replicas.");
        var service = await InspectAsync(id, ct) ?? throw new ContainerManagerException("The service no longer exists.");
        if (service.Spec?.Mode?.Replicated is not { } replicated) throw new ContainerManagerException("Only replicated services can be scaled.");
        replicated.Replicas = (ulong)replicas;
        await UpdateServiceAsync(id, service, service.Spec, ct);
    }

    public async Task<string> UpdateAsync(string id, WorkloadSpec spec, CancellationToken ct)
    {
        var service = await InspectAsync(id, ct) ?? throw new ContainerManagerException("The service no longer exists.");
        spec = user.Apply(await EnginePreflight.PrepareAsync(docker, spec, "this swarm node", ct));
        var replicas = service.Spec?.Mode?.Replicated?.Replicas is { } current ? (int)current : spec.Replicas;
        var next = SwarmServiceSpec.Build(service.Spec?.Name ?? id, spec with { Replicas = replicas }, await network.EnsureAsync(ct),
            await PortalNodeAsync(ct));
        await UpdateServiceAsync(id, service, next, ct);
        return id;
    }

    /// <summary>Replaces a service's spec at the index it was read at (the engine refuses stale updates).</summary>
    private Task<ServiceUpdateResponse> UpdateServiceAsync(string id, SwarmService read, ServiceSpec spec, CancellationToken ct) =>
        docker.CallAsync((c, t) => c.Swarm.UpdateServiceAsync(id,
            new ServiceUpdateParameters { Service = spec, Version = (long)(read.Version?.Index ?? 0) }, t), ct);

    public async Task<IReadOnlyList<WorkloadInfo>> ListOwnedAsync(CancellationToken ct)
    {
        var owned = await docker.CallAsync((c, t) => c.Swarm.ListServicesAsync(new ServiceListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{PortalLabels.Owner}={PortalLabels.OwnerValue}"] = true },
            },
        }, t), ct);
        var result = new List<WorkloadInfo>();
        foreach (var service in owned)
        {
            var labels = service.Spec?.Labels is { } l ? new Dictionary<string, string>(l) : [];
            result.Add(new WorkloadInfo(service.ID, service.Spec?.Name ?? service.ID, labels, await GetStatusAsync(service.ID, ct)));
        }
        return result;
    }

    private Task<SwarmService?> InspectAsync(string id, CancellationToken ct) =>
        docker.FindAsync((c, t) => c.Swarm.InspectServiceAsync(id, t), ct);

    /// <summary>The service's tasks, newest state included; none when the service is gone.</summary>
    public async Task<IList<TaskResponse>> TasksAsync(string id, CancellationToken ct) =>
        await docker.FindAsync((c, t) => c.Tasks.ListAsync(new TasksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = new Dictionary<string, bool> { [id] = true } },
        }, t), ct) ?? [];
}
