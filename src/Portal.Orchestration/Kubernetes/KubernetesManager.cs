using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Portal.Core.Containers;
using Portal.Orchestration.Containers;

namespace Portal.Orchestration.Kubernetes;

/// <summary>
/// Runs the portal's work on Kubernetes, behind the same small interface as Swarm: trainings as Jobs, IDE sessions as
/// Pods with a Service, deployments as Deployments with a Service (and an HPA). A workload's id is <c>Kind/name</c>.
/// Pod states come from one watch (<see cref="PodCache"/>); everything the portal creates carries its labels, and
/// removal deletes by the workload label.
/// </summary>
public sealed partial class KubernetesManager(KubernetesClient client, KubeManifests manifests, IPullCredentialSource? pullCredential = null) : IContainerManager, IAsyncDisposable
{
    private readonly PodCache _pods = new(client, manifests.PathOf("Pod"));
    private readonly StopRequests _stops = new();

    public string Kind => "kube";

    public async Task<ManagerHealth> CheckAsync(CancellationToken ct)
    {
        try
        {
            var version = await client.GetAsync("version", ct);
            var where = $"Kubernetes {version?["gitVersion"]?.GetValue<string>() ?? "(version unknown)"} at {client.Server}, namespace {manifests.Namespace}";
            await client.ListAsync(manifests.PathOf("Pod"), $"{PortalLabels.Owner}={PortalLabels.OwnerValue}", ct);
            await client.ListAsync(manifests.PathOf("Job"), $"{PortalLabels.Owner}={PortalLabels.OwnerValue}", ct);
            return ManagerHealth.Ok($"{where}.");
        }
        catch (KubeApiException e) { return new ManagerHealth(false, "Kubernetes refused the portal.", [e.ToUserError().Message]); }
        catch (ContainerManagerException e) { return new ManagerHealth(false, "Kubernetes is not reachable.", [e.Message]); }
    }

    public async Task<string> StartAsync(WorkloadSpec spec, CancellationToken ct)
    {
        var name = KubeManifests.NameFor(spec);
        var withRegistrySecret = await EnsurePullSecretAsync(ct);
        var objects = manifests.Build(spec, name, withRegistrySecret);
        var created = new List<string>();
        try
        {
            foreach (var o in objects)
            {
                var kind = o["kind"]!.GetValue<string>();
                try
                {
                    await client.CreateAsync(manifests.PathOf(kind), o, ct);
                    if (kind != "PersistentVolumeClaim") created.Add(manifests.PathOf(kind, name));
                }
                // A user's home claim outlives sessions: it exists from the last one.
                catch (KubeApiException e) when (e.Code == 409 && kind == "PersistentVolumeClaim") { }
            }
        }
        catch (KubeApiException e)
        {
            foreach (var path in created) await client.DeleteAsync(path, CancellationToken.None);
            throw e.ToUserError();
        }
        return $"{objects.Single(IsWorkload)["kind"]}/{name}";
    }

    public async Task<WorkloadStatus> GetStatusAsync(string id, CancellationToken ct)
    {
        if (_stops.Contains(id)) return StopRequests.Status;
        var (kind, name) = Split(id);
        JsonObject? workload;
        try { workload = await client.GetAsync(manifests.PathOf(kind, name), ct); }
        catch (KubeApiException e) { throw e.ToUserError(); }
        return await StatusOfAsync(kind, name, workload, ct);
    }

    /// <summary>A workload's state from its object (as read or listed) and its pods in the watch cache.</summary>
    private async Task<WorkloadStatus> StatusOfAsync(string kind, string name, JsonObject? workload, CancellationToken ct)
    {
        if (workload is null)
            return new WorkloadStatus(WorkloadState.Missing, Message: $"Its {kind} no longer exists in namespace {manifests.Namespace} (removed outside the portal, or cleaned up after it finished).");
        await _pods.ReadyAsync(ct);
        var pods = _pods.Of(name);
        return kind switch
        {
            "Job" => JobStatus(workload, pods),
            "Deployment" => ServiceStatus(pods, workload["spec"]?["replicas"]?.GetValue<int>() ?? 1),
            _ => ServiceStatus(pods, 1),
        };
    }

    public async IAsyncEnumerable<LogLine> ReadLogsAsync(string id, bool follow, [EnumeratorCancellation] CancellationToken ct)
    {
        var (_, name) = Split(id);
        await _pods.ReadyAsync(ct);
        // Logs exist once a container has started; until then (pulling, scheduling) wait for the pod to move on.
        string? pod = null;
        while (pod is null)
        {
            var change = _pods.ChangedAsync(ct);
            pod = _pods.Of(name).Where(p => Phase(p) is "Running" or "Succeeded" or "Failed").Select(PodName).LastOrDefault();
            if (pod is not null) break;
            if (!follow || (await GetStatusAsync(id, ct)).IsFinal) yield break;
            await Task.WhenAny(change, Task.Delay(TimeSpan.FromSeconds(5), ct));
            ct.ThrowIfCancellationRequested();
        }
        IAsyncEnumerator<string>? lines = null;
        try
        {
            lines = client.ReadLogAsync(manifests.Namespace, pod, KubeManifests.Container, follow, timestamps: true, ct).GetAsyncEnumerator(ct);
            while (true)
            {
                try
                {
                    if (!await lines.MoveNextAsync()) break;
                }
                catch (KubeApiException e) when (e.Code is 400 or 404) { break; }
                catch (KubeApiException e) { throw e.ToUserError(); }
                yield return Parse(lines.Current);
            }
        }
        finally
        {
            if (lines is not null) await lines.DisposeAsync();
        }
    }

    public Task StopAsync(string id, CancellationToken ct) => _stops.StopAsync(id, () => DeleteAllAsync(id, ct));

    public Task RemoveAsync(string id, CancellationToken ct) => _stops.RemoveAsync(id, () => DeleteAllAsync(id, ct));

    public async Task<IReadOnlyList<Replica>> ListReplicasAsync(string id, CancellationToken ct)
    {
        var (_, name) = Split(id);
        await _pods.ReadyAsync(ct);
        return [.. _pods.Of(name).Where(p => p["metadata"]?["deletionTimestamp"] is null).Select(p =>
        {
            var ready = Phase(p) == "Running" && Condition(p, "Ready") == "True";
            var ip = p["status"]?["podIP"]?.GetValue<string>();
            var port = p["spec"]?["containers"]?[0]?["ports"]?[0]?["containerPort"]?.GetValue<int>();
            return new Replica(PodName(p), ready ? WorkloadState.Running : Phase(p) == "Failed" ? WorkloadState.Failed : WorkloadState.Pending,
                ready && ip is not null && port is not null ? $"http://{ip}:{port}" : null, Waiting(p));
        })];
    }

    public async Task ScaleAsync(string id, int replicas, CancellationToken ct)
    {
        var (kind, name) = Split(id);
        if (kind != "Deployment") throw new ContainerManagerException($"Only deployments can be scaled; '{id}' is a {kind}.");
        if (replicas < 0) throw new ContainerManagerException($"A deployment cannot run {replicas} replicas.");
        try { await client.PatchAsync(manifests.PathOf(kind, name), new JsonObject { ["spec"] = new JsonObject { ["replicas"] = replicas } }, ct); }
        catch (KubeApiException e) { throw e.Code == 404 ? new ContainerManagerException($"The deployment {name} no longer exists.") : e.ToUserError(); }
    }

    public async Task<string> UpdateAsync(string id, WorkloadSpec spec, CancellationToken ct)
    {
        var (kind, name) = Split(id);
        if (kind != "Deployment") throw new ContainerManagerException($"Only deployments are updated in place; '{id}' is a {kind}.");
        var next = manifests.Build(spec, name).Single(o => o["kind"]!.GetValue<string>() == "Deployment");
        // The Deployment's RollingUpdate strategy (maxUnavailable 0, maxSurge 1) rolls one replica at a time; replicas stay as they are.
        try { await client.PatchAsync(manifests.PathOf(kind, name), new JsonObject { ["spec"] = new JsonObject { ["template"] = next["spec"]!["template"]!.DeepClone() } }, ct); }
        catch (KubeApiException e) { throw e.Code == 404 ? new ContainerManagerException($"The deployment {name} no longer exists.") : e.ToUserError(); }
        return id;
    }

    public async Task<IReadOnlyList<WorkloadInfo>> ListOwnedAsync(CancellationToken ct)
    {
        var result = new List<WorkloadInfo>();
        try
        {
            foreach (var kind in new[] { "Job", "Deployment", "Pod" })
                foreach (var o in (await client.ListAsync(manifests.PathOf(kind), $"{PortalLabels.Owner}={PortalLabels.OwnerValue}", ct))["items"]!.AsArray().OfType<JsonObject>())
                {
                    // A Job's or a Deployment's pods are not workloads of their own.
                    if (kind == "Pod" && o["metadata"]?["ownerReferences"] is JsonArray { Count: > 0 }) continue;
                    if (kind == "Pod" && o["metadata"]?["annotations"]?[PortalLabels.Kind] is null) continue;
                    var name = o["metadata"]!["name"]!.GetValue<string>();
                    var labels = (o["metadata"]?["annotations"] as JsonObject ?? o["metadata"]?["labels"] as JsonObject)?
                        .Where(p => p.Key.StartsWith("io.mlops-portal.", StringComparison.Ordinal))
                        .ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "") ?? [];
                    var id = $"{kind}/{name}";
                    // The listed object is the workload as it stands: no second read for its status.
                    result.Add(new WorkloadInfo(id, name, labels, _stops.Contains(id) ? StopRequests.Status : await StatusOfAsync(kind, name, o, ct)));
                }
        }
        catch (KubeApiException e) { throw e.ToUserError(); }
        return result;
    }

    public ValueTask DisposeAsync() => _pods.DisposeAsync();

    /// <summary>Writes the pull secret from kube.registry_credential (again, so a changed login applies); false when none is configured.</summary>
    private async Task<bool> EnsurePullSecretAsync(CancellationToken ct)
    {
        if (pullCredential is null || await pullCredential.GetAsync(ct) is not { } auth) return false;
        var secret = manifests.PullSecret(auth);
        try
        {
            try { await client.CreateAsync(manifests.PathOf("Secret"), secret, ct); }
            catch (KubeApiException e) when (e.Code == 409)
            {
                await client.PatchAsync(manifests.PathOf("Secret", KubeManifests.RegistrySecret), new JsonObject { ["data"] = secret["data"]!.DeepClone() }, ct);
            }
        }
        catch (KubeApiException e) { throw e.ToUserError(); }
        return true;
    }

    /// <summary>The workload and everything made with it (its Service, its autoscaler), found by the workload label.</summary>
    private async Task DeleteAllAsync(string id, CancellationToken ct)
    {
        var (kind, name) = Split(id);
        try
        {
            await client.DeleteAsync(manifests.PathOf(kind, name), ct);
            foreach (var other in new[] { "Service", "HorizontalPodAutoscaler" })
                foreach (var o in (await client.ListAsync(manifests.PathOf(other), $"{KubeManifests.WorkloadLabel}={name}", ct))["items"]!.AsArray().OfType<JsonObject>())
                    await client.DeleteAsync(manifests.PathOf(other, o["metadata"]!["name"]!.GetValue<string>()), ct);
        }
        catch (KubeApiException e) { throw e.ToUserError(); }
    }

    private static WorkloadStatus JobStatus(JsonObject job, IReadOnlyList<JsonObject> pods)
    {
        var pod = pods.Count > 0 ? pods[^1] : null;
        if ((job["status"]?["succeeded"]?.GetValue<int>() ?? 0) > 0 && pod is null) return new WorkloadStatus(WorkloadState.Succeeded, 0);
        if ((job["status"]?["failed"]?.GetValue<int>() ?? 0) > 0 && pod is null) return new WorkloadStatus(WorkloadState.Failed, Message: "Its pod failed.");
        if (pod is null) return new WorkloadStatus(WorkloadState.Pending, Message: "Waiting for Kubernetes to create the pod.");
        return Phase(pod) switch
        {
            "Running" => new WorkloadStatus(WorkloadState.Running, RunningReplicas: 1),
            "Succeeded" => new WorkloadStatus(WorkloadState.Succeeded, ExitCode(pod) ?? 0),
            "Failed" => new WorkloadStatus(WorkloadState.Failed, ExitCode(pod), Ended(pod)),
            _ => new WorkloadStatus(WorkloadState.Pending, Message: Waiting(pod) ?? "Waiting for the pod to start."),
        };
    }

    private static WorkloadStatus ServiceStatus(IReadOnlyList<JsonObject> pods, int desired)
    {
        var live = pods.Where(p => p["metadata"]?["deletionTimestamp"] is null).ToList();
        var running = live.Count(p => Phase(p) == "Running" && Condition(p, "Ready") == "True");
        if (running > 0) return new WorkloadStatus(WorkloadState.Running, RunningReplicas: running, DesiredReplicas: desired);
        if (desired == 0) return new WorkloadStatus(WorkloadState.Running, RunningReplicas: 0, DesiredReplicas: 0, Message: "Scaled to zero replicas.");
        var why = live.Select(p => Phase(p) == "Failed" ? Ended(p) : Waiting(p)).FirstOrDefault(m => m is not null);
        return new WorkloadStatus(WorkloadState.Pending, Message: why ?? "Waiting for a replica to be ready.", DesiredReplicas: desired);
    }

    /// <summary>Why a pod is not running yet, in words: scheduling, image pulls, container creation.</summary>
    private static string? Waiting(JsonObject pod)
    {
        var conditions = pod["status"]?["conditions"] as JsonArray;
        var unscheduled = conditions?.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == "PodScheduled" && c["status"]?.GetValue<string>() == "False");
        if (unscheduled is not null) return $"Kubernetes cannot place it yet: {unscheduled["message"]?.GetValue<string>()}";
        var waiting = pod["status"]?["containerStatuses"]?[0]?["state"]?["waiting"];
        return waiting?["reason"]?.GetValue<string>() switch
        {
            null => null,
            "ContainerCreating" or "PodInitializing" => "Starting the container.",
            "ImagePullBackOff" or "ErrImagePull" => $"Kubernetes cannot pull the image: {waiting["message"]?.GetValue<string>() ?? waiting["reason"]!.GetValue<string>()}. Check the image name and the pull secret (docker.registry_secret).",
            var reason => $"{reason}: {waiting["message"]?.GetValue<string>()}".TrimEnd(' ', ':'),
        };
    }

    private static string? Ended(JsonObject pod)
    {
        var terminated = pod["status"]?["containerStatuses"]?[0]?["state"]?["terminated"];
        return terminated?["reason"]?.GetValue<string>() switch
        {
            "OOMKilled" => "It ran out of memory (the resource profile's memory limit) and was killed.",
            null => pod["status"]?["message"]?.GetValue<string>(),
            var reason => $"Its container ended: {reason} (exit code {terminated["exitCode"]}).",
        };
    }

    private static int? ExitCode(JsonObject pod) => pod["status"]?["containerStatuses"]?[0]?["state"]?["terminated"]?["exitCode"]?.GetValue<int>();
    private static string? Phase(JsonObject pod) => pod["status"]?["phase"]?.GetValue<string>();
    private static string PodName(JsonObject pod) => pod["metadata"]!["name"]!.GetValue<string>();

    private static string? Condition(JsonObject pod, string type) =>
        (pod["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == type)?["status"]?.GetValue<string>();

    private static bool IsWorkload(JsonObject o) => o["kind"]!.GetValue<string>() is "Job" or "Pod" or "Deployment";

    private static (string Kind, string Name) Split(string id)
    {
        var parts = id.Split('/', 2);
        return parts.Length == 2 && parts[0] is "Job" or "Pod" or "Deployment" ? (parts[0], parts[1])
            : throw new ContainerManagerException($"'{id}' is not a Kubernetes workload of the portal (Job/…, Pod/… or Deployment/…).");
    }

    /// <summary>A log line with the server's RFC 3339 timestamp in front; everything a container writes arrives as stdout.</summary>
    private static LogLine Parse(string line)
    {
        var space = line.IndexOf(' ');
        // Kubernetes writes nanoseconds; .NET parses at most seven fractional digits.
        var stamp = space > 0 ? ExtraFractionDigits().Replace(line[..space], "$1") : "";
        if (space > 0 && DateTime.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at))
            return new LogLine(at, LogSource.Stdout, line[(space + 1)..]);
        return new LogLine(DateTime.UtcNow, LogSource.Stdout, line);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(\.\d{7})\d+")]
    private static partial System.Text.RegularExpressions.Regex ExtraFractionDigits();
}
