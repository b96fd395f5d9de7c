using System.Globalization;
using System.Runtime.CompilerServices;
using Docker.DotNet.Models;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Orchestration.Docker;
using Portal.Orchestration.Swarm;

namespace Portal.Orchestration.Containers;

/// <summary>
/// Plain containers on one Docker engine (<c>container_manager.type: docker</c>), for an engine that is not in
/// swarm mode: one container per workload, never restarted, limits from the resource profile (a plain container
/// has no reservations: requests are only checked against the host), on the portal's work network (a bridge, never the
/// host's), as the unprivileged container user.
/// Containers carry the portal's labels and outlive the portal, so a restarted portal re-attaches.
/// </summary>
public sealed class DockerContainerManager(DockerEngine docker, WorkNetwork network, ContainerUser user) : IContainerManager, IServiceControl
{
    private const int StopGraceSeconds = 10;
    private readonly StopRequests _stops = new();

    private static readonly TimeSpan StatusPoll = TimeSpan.FromMilliseconds(200);

    public ManagerCapabilities Capabilities { get; } = new() { Kind = "docker", Containers = true, Gpu = false, NamedVolumes = true };

    public async Task<ManagerHealth> CheckAsync(CancellationToken ct)
    {
        try
        {
            var info = await docker.InfoAsync(ct);
            return ManagerHealth.Ok(string.Create(CultureInfo.InvariantCulture,
                $"Docker {info.ServerVersion} at {docker.Address}, {info.NCPU} CPUs, {info.MemTotal / (1024.0 * 1024 * 1024):0.#} GiB; " +
                $"plain containers (API {docker.ApiVersion})."));
        }
        catch (ContainerManagerException e) { return new ManagerHealth(false, "Docker is not reachable.", [e.Message]); }
    }

    public async Task<string> StartAsync(WorkloadSpec spec, CancellationToken ct)
    {
        if (spec.Kind == WorkloadKind.Service && spec.Replicas > 1)
            throw new ContainerManagerException(
                $"Plain containers run one replica; '{spec.Name}' asks for {spec.Replicas}. Use container_manager.type: swarm for replicas.");
        spec = user.Apply(await EnginePreflight.PrepareAsync(docker, spec, "this host", ct));
        for (var attempt = 1; ; attempt++)
        {
            var parameters = Build(spec, await network.EnsureAsync(ct));
            parameters.Name = EnginePreflight.WorkloadName(spec);
            var created = await docker.CallAsync((c, t) => c.Containers.CreateContainerAsync(parameters, t), ct);
            try
            {
                await docker.CallAsync((c, t) => c.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), t), ct);
                return created.ID;
            }
            catch (ContainerManagerException e) when (attempt < NetworkRaceAttempts && LostNetwork(e))
            {
                // The engine drops a node's copy of an attachable overlay when the last container on it leaves; a start at that
                // moment finds no network (docker/for-linux#888). The next attempt attaches afresh.
                await RemoveContainerAsync(docker, created.ID, ct);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), ct);
            }
        }
    }

    private const int NetworkRaceAttempts = 4;

    private static bool LostNetwork(ContainerManagerException e) =>
        e.IsNotFound() && e.Message.Contains("network", StringComparison.OrdinalIgnoreCase);

    public static CreateContainerParameters Build(WorkloadSpec spec, string networkId)
    {
        var labels = new Dictionary<string, string> { [PortalLabels.Owner] = PortalLabels.OwnerValue };
        foreach (var (k, v) in spec.Labels) labels[k] = v;
        var host = new HostConfig
        {
            Init = true,
            // A service comes back after any exit and when dockerd starts again (a stop of the engine is not the user's
            // stop); the portal ends a service by removing it.
            RestartPolicy = new RestartPolicy { Name = spec.Kind == WorkloadKind.Task ? RestartPolicyKind.No : RestartPolicyKind.UnlessStopped },
            Mounts = [.. spec.Mounts.Select(SwarmServiceSpec.Mount)],
            // User code runs with no capability and cannot gain privileges (setuid programs) inside its container.
            CapDrop = ["ALL"],
            SecurityOpt = ["no-new-privileges"],
            NetworkMode = networkId,
            // Zero is the engine's "no limit".
            NanoCPUs = spec.Resources?.Limits?.Cpu is { } cpu ? EnginePreflight.NanoCpus(cpu) : 0,
            Memory = spec.Resources?.Limits?.Memory is { } memory ? EnginePreflight.Bytes(memory) : 0,
        };
        var container = new CreateContainerParameters
        {
            Image = spec.Image,
            Cmd = [.. spec.Command],
            Env = [.. spec.Env.Select(e => $"{e.Key}={e.Value}")],
            Labels = labels,
            HostConfig = host,
            WorkingDir = spec.WorkingDir ?? "",
            Healthcheck = spec.HealthCheck is { } health ? SwarmServiceSpec.HealthCheck(health) : null,
            User = spec.User ?? "",
        };
        if (spec.Ports.Count > 0)
        {
            container.ExposedPorts = spec.Ports.ToDictionary(p => Port(p.ContainerPort), _ => default(EmptyStruct));
            host.PortBindings = spec.Ports.ToDictionary(p => Port(p.ContainerPort), p => (IList<PortBinding>)
                [new PortBinding { HostPort = p.PublishedPort?.ToString(CultureInfo.InvariantCulture) ?? "" }]);
        }
        return container;
    }

    private static string Port(int containerPort) => string.Create(CultureInfo.InvariantCulture, $"{containerPort}/tcp");

    public async Task<WorkloadStatus> GetStatusAsync(string id, CancellationToken ct)
    {
        if (_stops.Contains(id)) return StopRequests.Status;
        var container = await docker.FindAsync((c, t) => c.Containers.InspectContainerAsync(id, t), ct);
        return container is null
            ? new WorkloadStatus(WorkloadState.Missing, Message: "Its container no longer exists (removed outside the portal).")
            : StatusOf(container);
    }

    /// <summary>A container's state in the portal's words (also a Swarm task's, read from its container on this node).</summary>
    public static WorkloadStatus StatusOf(ContainerInspectResponse container)
    {
        if (container.State is not { } state) return new WorkloadStatus(WorkloadState.Pending, Message: "The engine reports no state yet.");
        var exit = (int)state.ExitCode;
        var memory = container.HostConfig?.Memory ?? 0;
        return state.Status switch
        {
            "running" when state.Health?.Status is "starting" or "unhealthy" =>
                new WorkloadStatus(WorkloadState.Pending, Message: $"The container runs; its health check says {state.Health?.Status}."),
            "running" or "paused" or "restarting" => new WorkloadStatus(WorkloadState.Running, RunningReplicas: 1),
            "created" => new WorkloadStatus(WorkloadState.Pending, Message: "The container is created, not started yet."),
            _ when state.OOMKilled => new WorkloadStatus(WorkloadState.Failed, exit,
                $"The container ran out of memory (its limit is {memory / (1024 * 1024)} MB); choose a resource profile with more memory."),
            "exited" when exit == 0 => new WorkloadStatus(WorkloadState.Succeeded, 0),
            "exited" => new WorkloadStatus(WorkloadState.Failed, exit, $"The container exited with code {exit}."),
            _ => new WorkloadStatus(WorkloadState.Failed, exit, state.Error is { Length: > 0 } error ? error : $"The container is {state.Status}."),
        };
    }

    public IAsyncEnumerable<WorkloadStatus> WatchAsync(string id, CancellationToken ct) =>
        StatusChanges.WatchAsync(t => GetStatusAsync(id, t), StatusChanges.Every(StatusPoll), ct);

    public IAsyncEnumerable<LogLine> ReadLogsAsync(string id, bool follow, CancellationToken ct) => ContainerLogsAsync(docker, id, follow, ct);

    /// <summary>A container's output; when followed, it ends when the container exits (or is removed).</summary>
    public static IAsyncEnumerable<LogLine> ContainerLogsAsync(DockerEngine docker, string id, bool follow, CancellationToken ct)
    {
        var parameters = new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Timestamps = true, Follow = follow };
        return docker.LogsAsync((c, t) => c.Containers.GetContainerLogsAsync(id, parameters, t), ct);
    }

    /// <summary>Stops a container (SIGTERM, then SIGKILL after the grace period); one that is gone or stopped is fine.</summary>
    public static async Task StopContainerAsync(DockerEngine docker, string id, int graceSeconds, CancellationToken ct)
    {
        try
        {
            await docker.CallAsync((c, t) => c.Containers.StopContainerAsync(id,
                new ContainerStopParameters { WaitBeforeKillSeconds = (uint)graceSeconds }, t), ct);
        }
        catch (ContainerManagerException e) when (e.IsNotFound()) { }
    }

    /// <summary>Removes a container, running or not; one that is gone is fine.</summary>
    public static async Task RemoveContainerAsync(DockerEngine docker, string id, CancellationToken ct)
    {
        try { await docker.CallAsync((c, t) => c.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, t), ct); }
        catch (ContainerManagerException e) when (e.IsNotFound()) { }
    }

    public Task StopAsync(string id, CancellationToken ct) => _stops.StopAsync(id, () => StopContainerAsync(docker, id, StopGraceSeconds, ct));

    public Task RemoveAsync(string id, CancellationToken ct) => _stops.RemoveAsync(id, () => RemoveContainerAsync(docker, id, ct));

    public async Task<IReadOnlyList<Replica>> ListReplicasAsync(string id, CancellationToken ct)
    {
        var status = await GetStatusAsync(id, ct);
        if (status.State == WorkloadState.Missing) return [];
        var container = await docker.FindAsync((c, t) => c.Containers.InspectContainerAsync(id, t), ct);
        var port = container?.NetworkSettings?.Ports?.Select(p => p.Value?.FirstOrDefault()?.HostPort).FirstOrDefault(p => !string.IsNullOrEmpty(p));
        return [new Replica(id, status.State, status.State == WorkloadState.Running && port is not null ? $"http://127.0.0.1:{port}" : null, status.Message)];
    }

    /// <summary>One container or none: zero stops it (scale to zero), one starts the same container again.</summary>
    public async Task ScaleAsync(string id, int replicas, CancellationToken ct)
    {
        if (replicas is not (0 or 1)) await SingleReplica.ScaleAsync(replicas, "Plain containers");
        if (replicas == 0) await StopContainerAsync(docker, id, StopGraceSeconds, ct);
        else await docker.CallAsync((c, t) => c.Containers.StartContainerAsync(id, new ContainerStartParameters(), t), ct);
    }

    public Task<string> UpdateAsync(string id, WorkloadSpec spec, CancellationToken ct) => SingleReplica.ReplaceAsync(this, id, spec, ct);

    public async Task<IReadOnlyList<WorkloadInfo>> ListOwnedAsync(CancellationToken ct)
    {
        var containers = await docker.CallAsync((c, t) => c.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{PortalLabels.Owner}={PortalLabels.OwnerValue}"] = true },
            },
        }, t), ct);
        var result = new List<WorkloadInfo>();
        foreach (var c in containers)
        {
            var labels = c.Labels is { } l ? new Dictionary<string, string>(l) : [];
            var name = c.Names?.FirstOrDefault()?.TrimStart('/') ?? c.ID;
            result.Add(new WorkloadInfo(c.ID, name, labels, await GetStatusAsync(c.ID, ct)));
        }
        return result;
    }
}
