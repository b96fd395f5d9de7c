using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
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
public sealed class SwarmManager(DockerClient docker) : IContainerManager
{
    private const int StopGraceSeconds = 10;
    private static readonly TimeSpan StatusPoll = TimeSpan.FromMilliseconds(500);
    /// <summary>How long the log stream is read after the task ended, for lines the daemon delivers late.</summary>
    private static readonly TimeSpan LogDrain = TimeSpan.FromSeconds(1.5);

    // Stopping removes the service: a task that runs once has nothing to scale back to.
    private readonly StopRequests _stops = new();
    private string? _hostNetwork;

    public string Kind => "swarm";

    public async Task<ManagerHealth> CheckAsync(CancellationToken ct)
    {
        DockerInfo info;
        try { info = await docker.InfoAsync(ct); }
        catch (ContainerManagerException e) { return new ManagerHealth(false, "Docker is not reachable.", [e.Message]); }
        catch (DockerApiException e) { return new ManagerHealth(false, "Docker is not usable.", [e.Message]); }
        var engine = $"Docker {info.ServerVersion} at {docker.Address}, {info.NCPU} CPUs, {info.MemTotal / (1024.0 * 1024 * 1024):0.#} GiB";
        if (info.Swarm?.LocalNodeState != "active")
            return new ManagerHealth(false, $"{engine}: not in swarm mode.",
                [$"The engine's swarm state is '{info.Swarm?.LocalNodeState ?? "unknown"}'. Run 'docker swarm init --advertise-addr 127.0.0.1' on the portal's host, or set container_manager.type: docker to run plain containers on this engine (or local for host processes)."]);
        if (info.Swarm.ControlAvailable != true)
            return new ManagerHealth(false, $"{engine}: this node is a swarm worker.",
                ["The portal must talk to a swarm manager node: point docker.daemon_address at a manager."]);
        var summary = $"{engine}, swarm active (API {await docker.ApiVersionAsync(ct)}).";
        JsonArray tasks;
        try { tasks = await docker.ListAllTasksAsync(ct); }
        catch (DockerApiException) { return ManagerHealth.Ok(summary); } // the warning below is extra; the engine itself answered
        return StaleJobReservations.Describe(tasks) is { } stale ? new ManagerHealth(true, summary, [stale]) : ManagerHealth.Ok(summary);
    }

    public async Task<string> StartAsync(WorkloadSpec spec, CancellationToken ct)
    {
        spec = await EnginePreflight.PrepareAsync(docker, spec, "this swarm node", ct);
        var name = EnginePreflight.WorkloadName(spec);
        var hostNetwork = spec.Ports.Count == 0 ? await HostNetworkAsync(ct) : null;
        try { return await docker.CreateServiceAsync(SwarmServiceSpec.Build(name, spec, hostNetwork), ct); }
        catch (DockerApiException e) { throw e.ToUserError(); }
    }

    public async Task<WorkloadStatus> GetStatusAsync(string id, CancellationToken ct)
    {
        if (_stops.Contains(id)) return StopRequests.Status;
        try
        {
            var service = await docker.InspectServiceAsync(id, ct);
            if (service is null)
                return new WorkloadStatus(WorkloadState.Missing, Message: "Its swarm service no longer exists (removed outside the portal, or the swarm was reset).");
            var tasks = await docker.ListTasksAsync(id, ct);
            if (SwarmServiceSpec.RunsOnce(service)) return SwarmTaskStatus.ForTask(tasks);
            var desired = service["Spec"]?["Mode"]?["Replicated"]?["Replicas"]?.GetValue<int>() ?? 1;
            return SwarmTaskStatus.ForService(tasks, desired);
        }
        catch (DockerApiException e) { throw e.ToUserError(); }
    }

    /// <summary>
    /// Follows the service's output. A service log stream does not end when a job's container exits, so this
    /// watches the status and ends the stream shortly after the workload has ended.
    /// </summary>
    public async IAsyncEnumerable<LogLine> ReadLogsAsync(string id, bool follow, [EnumeratorCancellation] CancellationToken ct)
    {
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var lines = Channel.CreateBounded<LogLine>(new BoundedChannelOptions(10_000) { SingleReader = true, SingleWriter = true });
        var reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var line in docker.ServiceLogsAsync(id, follow, ended.Token)) await lines.Writer.WriteAsync(line, ended.Token);
                lines.Writer.TryComplete();
            }
            catch (OperationCanceledException) { lines.Writer.TryComplete(); }
            catch (Exception e) when (e is DockerApiException or ContainerManagerException or IOException)
            {
                // A service removed while followed ends its stream; anything else is reported to the reader.
                lines.Writer.TryComplete(e is DockerApiException { Status: System.Net.HttpStatusCode.NotFound } or IOException ? null : e);
            }
        }, CancellationToken.None);
        var watcher = follow ? Task.Run(async () =>
        {
            try
            {
                while (!reader.IsCompleted && !(await GetStatusAsync(id, ended.Token)).IsFinal) await Task.Delay(StatusPoll, ended.Token);
                await Task.Delay(LogDrain, ended.Token);
                await ended.CancelAsync();
            }
            catch (OperationCanceledException) { }
            catch (ContainerManagerException) { await ended.CancelAsync(); }
        }, CancellationToken.None) : Task.CompletedTask;

        try
        {
            await foreach (var line in lines.Reader.ReadAllAsync(ct)) yield return line;
        }
        finally
        {
            await ended.CancelAsync();
            await Task.WhenAll(reader, watcher);
        }
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
        try
        {
            if (await docker.InspectServiceAsync(id, ct) is null) return;
            var containers = (await docker.ListTasksAsync(id, ct)).OfType<JsonObject>()
                .Where(t => t["Status"]?["State"]?.GetValue<string>() is "running" or "starting" or "preparing")
                .Select(t => t["Status"]?["ContainerStatus"]?["ContainerID"]?.GetValue<string>())
                .OfType<string>().ToList();
            await Task.WhenAll(containers.Select(c => docker.StopContainerAsync(c, StopGraceSeconds, ct)));
            await docker.RemoveServiceAsync(id, ct);
        }
        catch (DockerApiException e) { throw e.ToUserError(); }
    }

    public async Task<IReadOnlyList<Replica>> ListReplicasAsync(string id, CancellationToken ct)
    {
        try
        {
            var tasks = await docker.ListTasksAsync(id, ct);
            return tasks.OfType<JsonObject>()
                .Where(t => t["DesiredState"]?.GetValue<string>() == "running")
                .Select(t =>
                {
                    var state = t["Status"]?["State"]?.GetValue<string>();
                    var port = t["Status"]?["PortStatus"]?["Ports"]?.AsArray().FirstOrDefault()?["PublishedPort"]?.GetValue<int>();
                    return new Replica(t["ID"]!.GetValue<string>(),
                        state == "running" ? WorkloadState.Running : state is "failed" or "rejected" ? WorkloadState.Failed : WorkloadState.Pending,
                        state == "running" && port is { } p ? $"http://127.0.0.1:{p}" : null,
                        t["Status"]?["Err"]?.GetValue<string>());
                })
                .ToList();
        }
        catch (DockerApiException e) { throw e.ToUserError(); }
    }

    public async Task ScaleAsync(string id, int replicas, CancellationToken ct)
    {
        if (replicas < 0) throw new ContainerManagerException($"A service cannot run {replicas} replicas.");
        try
        {
            var service = await docker.InspectServiceAsync(id, ct) ?? throw new ContainerManagerException("The service no longer exists.");
            var spec = service["Spec"]!.DeepClone().AsObject();
            if (spec["Mode"]?["Replicated"] is not JsonObject replicated) throw new ContainerManagerException("Only replicated services can be scaled.");
            replicated["Replicas"] = replicas;
            await docker.UpdateServiceAsync(id, service["Version"]!["Index"]!.GetValue<long>(), spec, ct);
        }
        catch (DockerApiException e) { throw e.ToUserError(); }
    }

    public async Task<string> UpdateAsync(string id, WorkloadSpec spec, CancellationToken ct)
    {
        var service = await docker.InspectServiceAsync(id, ct) ?? throw new ContainerManagerException("The service no longer exists.");
        spec = await EnginePreflight.PrepareAsync(docker, spec, "this swarm node", ct);
        var current = service["Spec"]!;
        var replicas = current["Mode"]?["Replicated"]?["Replicas"]?.GetValue<int>() ?? spec.Replicas;
        var next = SwarmServiceSpec.Build(current["Name"]!.GetValue<string>(), spec with { Replicas = replicas }, spec.Ports.Count == 0 ? await HostNetworkAsync(ct) : null);
        try { await docker.UpdateServiceAsync(id, service["Version"]!["Index"]!.GetValue<long>(), next, ct); }
        catch (DockerApiException e) { throw e.ToUserError(); }
        return id;
    }

    public async Task<IReadOnlyList<WorkloadInfo>> ListOwnedAsync(CancellationToken ct)
    {
        var result = new List<WorkloadInfo>();
        foreach (var service in (await docker.ListServicesAsync($"{PortalLabels.Owner}={PortalLabels.OwnerValue}", ct)).OfType<JsonObject>())
        {
            var id = service["ID"]!.GetValue<string>();
            var labels = service["Spec"]?["Labels"]?.AsObject().ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "") ?? [];
            result.Add(new WorkloadInfo(id, service["Spec"]?["Name"]?.GetValue<string>() ?? id, labels, await GetStatusAsync(id, ct)));
        }
        return result;
    }

    private async Task<string?> HostNetworkAsync(CancellationToken ct) => _hostNetwork ??= await docker.NetworkIdAsync("host", ct);
}
