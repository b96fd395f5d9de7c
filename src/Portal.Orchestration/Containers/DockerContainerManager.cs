using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Orchestration.Docker;

namespace Portal.Orchestration.Containers;

/// <summary>
/// Plain containers on one Docker engine (<c>container_manager.type: docker</c>), for an engine that is not in
/// swarm mode: one container per workload, never restarted, limits from the resource profile (a plain container
/// has no reservations: requests are only checked against the host), the host network when nothing is published.
/// Containers carry the portal's labels and outlive the portal, so a restarted portal re-attaches.
/// </summary>
public sealed class DockerContainerManager(DockerClient docker) : IContainerManager
{
    private const int StopGraceSeconds = 10;
    private readonly StopRequests _stops = new();

    public string Kind => "docker";

    public async Task<ManagerHealth> CheckAsync(CancellationToken ct)
    {
        try
        {
            var info = await docker.InfoAsync(ct);
            return ManagerHealth.Ok($"Docker {info.ServerVersion} at {docker.Address}, {info.NCPU} CPUs, {info.MemTotal / (1024.0 * 1024 * 1024):0.#} GiB; plain containers (API {await docker.ApiVersionAsync(ct)}).");
        }
        catch (ContainerManagerException e) { return new ManagerHealth(false, "Docker is not reachable.", [e.Message]); }
        catch (DockerApiException e) { return new ManagerHealth(false, "Docker is not usable.", [e.Message]); }
    }

    public async Task<string> StartAsync(WorkloadSpec spec, CancellationToken ct)
    {
        if (spec.Kind == WorkloadKind.Service && spec.Replicas > 1)
            throw new ContainerManagerException($"Plain containers run one replica; '{spec.Name}' asks for {spec.Replicas}. Use container_manager.type: swarm for replicas.");
        spec = await EnginePreflight.PrepareAsync(docker, spec, "this host", ct);
        try
        {
            var id = await docker.CreateContainerAsync(EnginePreflight.WorkloadName(spec), Build(spec), ct);
            await docker.StartContainerAsync(id, ct);
            return id;
        }
        catch (DockerApiException e) { throw e.ToUserError(); }
    }

    public static JsonObject Build(WorkloadSpec spec)
    {
        var labels = new JsonObject { [PortalLabels.Owner] = PortalLabels.OwnerValue };
        foreach (var (k, v) in spec.Labels) labels[k] = v;
        var host = new JsonObject
        {
            ["Init"] = true,
            ["RestartPolicy"] = new JsonObject { ["Name"] = spec.Kind == WorkloadKind.Task ? "no" : "on-failure" },
            ["Mounts"] = new JsonArray(spec.Mounts.Select(Swarm.SwarmServiceSpec.Mount).ToArray()),
        };
        if (spec.Resources?.Limits?.Cpu is { } cpu) host["NanoCpus"] = EnginePreflight.NanoCpus(cpu);
        if (spec.Resources?.Limits?.Memory is { } memory) host["Memory"] = EnginePreflight.Bytes(memory);
        var container = new JsonObject
        {
            ["Image"] = spec.Image,
            ["Cmd"] = new JsonArray(spec.Command.Select(c => (JsonNode)c!).ToArray()),
            ["Env"] = new JsonArray(spec.Env.Select(e => (JsonNode)$"{e.Key}={e.Value}"!).ToArray()),
            ["Labels"] = labels,
            ["HostConfig"] = host,
        };
        if (spec.WorkingDir is not null) container["WorkingDir"] = spec.WorkingDir;
        if (spec.HealthCheck is { } health) container["Healthcheck"] = Swarm.SwarmServiceSpec.HealthCheck(health);
        if (spec.Ports.Count == 0)
        {
            host["NetworkMode"] = "host";
        }
        else
        {
            container["ExposedPorts"] = new JsonObject(spec.Ports.Select(p => KeyValuePair.Create($"{p.ContainerPort}/tcp", (JsonNode?)new JsonObject())));
            host["PortBindings"] = new JsonObject(spec.Ports.Select(p => KeyValuePair.Create($"{p.ContainerPort}/tcp",
                (JsonNode?)new JsonArray(new JsonObject { ["HostPort"] = p.PublishedPort?.ToString() ?? "" }))));
        }
        return container;
    }

    public async Task<WorkloadStatus> GetStatusAsync(string id, CancellationToken ct)
    {
        if (_stops.Contains(id)) return StopRequests.Status;
        JsonObject? container;
        try { container = await docker.InspectContainerAsync(id, ct); }
        catch (DockerApiException e) { throw e.ToUserError(); }
        if (container is null) return new WorkloadStatus(WorkloadState.Missing, Message: "Its container no longer exists (removed outside the portal).");
        var state = container["State"]!;
        var status = state["Status"]?.GetValue<string>();
        var exit = state["ExitCode"]?.GetValue<int>();
        var memory = container["HostConfig"]?["Memory"]?.GetValue<long>() ?? 0;
        return status switch
        {
            "running" when state["Health"]?["Status"]?.GetValue<string>() is "starting" or "unhealthy" =>
                new WorkloadStatus(WorkloadState.Pending, Message: $"The container runs; its health check says {state["Health"]!["Status"]!.GetValue<string>()}."),
            "running" or "paused" or "restarting" => new WorkloadStatus(WorkloadState.Running, RunningReplicas: 1),
            "created" => new WorkloadStatus(WorkloadState.Pending, Message: "The container is created, not started yet."),
            _ when state["OOMKilled"]?.GetValue<bool>() == true => new WorkloadStatus(WorkloadState.Failed, exit,
                $"The container ran out of memory (its limit is {memory / (1024 * 1024)} MB); choose a resource profile with more memory."),
            "exited" when exit == 0 => new WorkloadStatus(WorkloadState.Succeeded, 0),
            "exited" => new WorkloadStatus(WorkloadState.Failed, exit, $"The container exited with code {exit}."),
            _ => new WorkloadStatus(WorkloadState.Failed, exit, state["Error"]?.GetValue<string>() is { Length: > 0 } error ? error : $"The container is {status}."),
        };
    }

    public async IAsyncEnumerable<LogLine> ReadLogsAsync(string id, bool follow, [EnumeratorCancellation] CancellationToken ct)
    {
        var lines = docker.ContainerLogsAsync(id, follow, ct).GetAsyncEnumerator(ct);
        try
        {
            while (true)
            {
                try
                {
                    if (!await lines.MoveNextAsync()) yield break;
                }
                catch (DockerApiException e) when (e.Status == System.Net.HttpStatusCode.NotFound) { yield break; }
                catch (IOException) { yield break; }
                yield return lines.Current;
            }
        }
        finally { await lines.DisposeAsync(); }
    }

    public Task StopAsync(string id, CancellationToken ct) => _stops.StopAsync(id, async () =>
    {
        try { await docker.StopContainerAsync(id, StopGraceSeconds, ct); }
        catch (DockerApiException e) { throw e.ToUserError(); }
    });

    public Task RemoveAsync(string id, CancellationToken ct) => _stops.RemoveAsync(id, async () =>
    {
        try { await docker.RemoveContainerAsync(id, ct); }
        catch (DockerApiException e) { throw e.ToUserError(); }
    });

    public async Task<IReadOnlyList<Replica>> ListReplicasAsync(string id, CancellationToken ct)
    {
        var status = await GetStatusAsync(id, ct);
        if (status.State == WorkloadState.Missing) return [];
        var container = await docker.InspectContainerAsync(id, ct);
        var port = container?["NetworkSettings"]?["Ports"]?.AsObject().Select(p => p.Value?.AsArray().FirstOrDefault()?["HostPort"]?.GetValue<string>()).FirstOrDefault(p => p is not null);
        return [new Replica(id, status.State, status.State == WorkloadState.Running && port is not null ? $"http://127.0.0.1:{port}" : null, status.Message)];
    }

    public Task ScaleAsync(string id, int replicas, CancellationToken ct) => SingleReplica.ScaleAsync(replicas, "Plain containers");

    public Task<string> UpdateAsync(string id, WorkloadSpec spec, CancellationToken ct) => SingleReplica.ReplaceAsync(this, id, spec, ct);

    public async Task<IReadOnlyList<WorkloadInfo>> ListOwnedAsync(CancellationToken ct)
    {
        var result = new List<WorkloadInfo>();
        foreach (var c in (await docker.ListContainersAsync($"{PortalLabels.Owner}={PortalLabels.OwnerValue}", ct, all: true)).OfType<JsonObject>())
        {
            var id = c["Id"]!.GetValue<string>();
            var labels = c["Labels"]?.AsObject().ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "") ?? [];
            var name = c["Names"]?.AsArray().FirstOrDefault()?.GetValue<string>().TrimStart('/') ?? id;
            result.Add(new WorkloadInfo(id, name, labels, await GetStatusAsync(id, ct)));
        }
        return result;
    }
}
