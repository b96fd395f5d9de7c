using System.Globalization;
using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;
using Portal.Core.Containers;
using Portal.Orchestration.Containers;

namespace Portal.Orchestration.Kubernetes;

/// <summary>
/// Runs the portal's work on Kubernetes, behind the same small interface as Swarm: trainings as Jobs, IDE sessions as
/// Pods with a Service, deployments as Deployments with a Service (and an HPA). A workload's id is <c>Kind/name</c>.
/// Pod states come from one watch (<see cref="PodCache"/>); everything the portal creates carries its labels, and
/// removal deletes by the workload label. Requests go through the official client (<see cref="KubeCluster"/>).
/// </summary>
public sealed partial class KubernetesManager(
    KubeCluster cluster, KubeManifests manifests, IPullCredentialSource? pullCredential = null, Containers.ContainerUser? user = null)
    : IContainerManager, IServiceControl, IAsyncDisposable
{
    private static readonly string Owned = $"{PortalLabels.Owner}={PortalLabels.OwnerValue}";
    private readonly PodCache _pods = new(cluster, manifests.Namespace);
    private readonly StopRequests _stops = new();

    private string Ns => manifests.Namespace;

    /// <summary>Jobs and deployments change with their pods; the watch cache tells, with a periodic look for what it does not.</summary>
    private static readonly TimeSpan StatusFallback = TimeSpan.FromSeconds(2);

    public ManagerCapabilities Capabilities { get; } = new()
    {
        Kind = "kube", Containers = true, Replicas = true, RollingUpdate = true, AutoScale = true, Gpu = true, NamedVolumes = true,
    };

    public async Task<ManagerHealth> CheckAsync(CancellationToken ct)
    {
        try
        {
            var version = await cluster.CallAsync("reading the server version", (k, t) => k.Version.GetCodeAsync(t), ct);
            var where = $"Kubernetes {version?.GitVersion ?? "(version unknown)"} at {cluster.Server}, namespace {Ns}";
            await cluster.CallAsync($"listing pods in {Ns}", (k, t) => k.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: Owned, cancellationToken: t), ct);
            await cluster.CallAsync($"listing jobs in {Ns}", (k, t) => k.BatchV1.ListNamespacedJobAsync(Ns, labelSelector: Owned, cancellationToken: t), ct);
            return ManagerHealth.Ok($"{where}.");
        }
        catch (ContainerManagerException e) when (KubeCluster.CodeOf(e) is not null)
        {
            return new ManagerHealth(false, "Kubernetes refused the portal.", [e.Message]);
        }
        catch (ContainerManagerException e) { return new ManagerHealth(false, "Kubernetes is not reachable.", [e.Message]); }
    }

    public async Task<string> StartAsync(WorkloadSpec spec, CancellationToken ct)
    {
        if (user is not null) spec = user.Apply(spec);
        var name = KubeManifests.NameFor(spec);
        var withRegistrySecret = await EnsurePullSecretAsync(ct);
        var objects = manifests.Build(spec, name, withRegistrySecret);
        var created = new List<IKubernetesObject<V1ObjectMeta>>();
        try
        {
            foreach (var o in objects)
            {
                try
                {
                    await CreateAsync(o, ct);
                    if (o is not V1PersistentVolumeClaim) created.Add(o);
                }
                // A user's home claim outlives sessions: it exists from the last one.
                catch (ContainerManagerException e) when (KubeCluster.CodeOf(e) == 409 && o is V1PersistentVolumeClaim) { }
            }
        }
        catch (ContainerManagerException)
        {
            foreach (var o in created) await DeleteAsync(o.Kind, o.Metadata.Name, CancellationToken.None);
            throw;
        }
        return $"{objects.Single(IsWorkload).Kind}/{name}";
    }

    public async Task<WorkloadStatus> GetStatusAsync(string id, CancellationToken ct)
    {
        if (_stops.Contains(id)) return StopRequests.Status;
        var (kind, name) = Split(id);
        return await StatusOfAsync(kind, name, await ReadAsync(kind, name, ct), ct);
    }

    /// <summary>A workload's state from its object (as read or listed) and its pods in the watch cache.</summary>
    private async Task<WorkloadStatus> StatusOfAsync(string kind, string name, IKubernetesObject<V1ObjectMeta>? workload, CancellationToken ct)
    {
        if (workload is null)
            return new WorkloadStatus(WorkloadState.Missing,
                Message: $"Its {kind} no longer exists in namespace {Ns} (removed outside the portal, or cleaned up after it finished).");
        await _pods.ReadyAsync(ct);
        var pods = _pods.Of(name);
        return workload switch
        {
            V1Job job => JobStatus(job, pods),
            V1Deployment deployment => ServiceStatus(pods, deployment.Spec?.Replicas ?? 1),
            _ => ServiceStatus(pods, 1),
        };
    }

    public IAsyncEnumerable<WorkloadStatus> WatchAsync(string id, CancellationToken ct) => StatusChanges.WatchAsync(
        t => GetStatusAsync(id, t), t => Task.WhenAny(_pods.ChangedAsync(t), Task.Delay(StatusFallback, t)), ct);

    public async IAsyncEnumerable<LogLine> ReadLogsAsync(string id, bool follow, [EnumeratorCancellation] CancellationToken ct)
    {
        var (_, name) = Split(id);
        await _pods.ReadyAsync(ct);
        // Logs exist once a container has started; until then (pulling, scheduling) wait for the pod to move on.
        string? pod = null;
        while (pod is null)
        {
            var change = _pods.ChangedAsync(ct);
            pod = _pods.Of(name).Where(p => p.Status?.Phase is "Running" or "Succeeded" or "Failed").Select(p => p.Metadata.Name).LastOrDefault();
            if (pod is not null) break;
            if (!follow || (await GetStatusAsync(id, ct)).IsFinal) yield break;
            await Task.WhenAny(change, Task.Delay(TimeSpan.FromSeconds(5), ct));
            ct.ThrowIfCancellationRequested();
        }
        Stream? log = null;
        try
        {
            log = await cluster.CallAsync($"reading the log of pod {pod}", (k, t) => k.CoreV1.ReadNamespacedPodLogAsync(
                pod, Ns, container: KubeManifests.Container, follow: follow, timestamps: true, cancellationToken: t), ct);
        }
        // The pod went away or never ran its container: there is nothing to read.
        catch (ContainerManagerException e) when (KubeCluster.CodeOf(e) is 400 or 404) { }
        if (log is null) yield break;
        await using (log)
        {
            using var reader = new StreamReader(log);
            while (await ReadLineAsync(reader, ct) is { } line) yield return Parse(line);
        }
    }

    /// <summary>The next line, or null at the end (a stream the server cut counts as the end).</summary>
    private static async Task<string?> ReadLineAsync(StreamReader reader, CancellationToken ct)
    {
        try { return await reader.ReadLineAsync(ct); }
        catch (IOException) { return null; }
        catch (HttpRequestException) { return null; }
    }

    public Task StopAsync(string id, CancellationToken ct) => _stops.StopAsync(id, () => DeleteAllAsync(id, ct));

    public Task RemoveAsync(string id, CancellationToken ct) => _stops.RemoveAsync(id, () => DeleteAllAsync(id, ct));

    public async Task<IReadOnlyList<Replica>> ListReplicasAsync(string id, CancellationToken ct)
    {
        var (_, name) = Split(id);
        await _pods.ReadyAsync(ct);
        return [.. _pods.Of(name).Where(p => p.Metadata.DeletionTimestamp is null).Select(p =>
        {
            var ready = p.Status?.Phase == "Running" && Condition(p, "Ready") == "True";
            var ip = p.Status?.PodIP;
            var port = p.Spec?.Containers?.FirstOrDefault()?.Ports?.FirstOrDefault()?.ContainerPort;
            return new Replica(p.Metadata.Name, ready ? WorkloadState.Running : p.Status?.Phase == "Failed" ? WorkloadState.Failed : WorkloadState.Pending,
                ready && ip is not null && port is not null ? string.Create(CultureInfo.InvariantCulture, $"http://{ip}:{port}") : null, Waiting(p));
        })];
    }

    public async Task ScaleAsync(string id, int replicas, CancellationToken ct)
    {
        var (kind, name) = Split(id);
        if (kind != "Deployment") throw new ContainerManagerException($"Only deployments can be scaled; '{id}' is a {kind}.");
        if (replicas < 0) throw new ContainerManagerException($"A deployment cannot run {replicas} replicas.");
        await PatchDeploymentAsync(name, new { spec = new { replicas } }, ct);
    }

    public async Task<string> UpdateAsync(string id, WorkloadSpec spec, CancellationToken ct)
    {
        var (kind, name) = Split(id);
        if (kind != "Deployment") throw new ContainerManagerException($"Only deployments are updated in place; '{id}' is a {kind}.");
        if (user is not null) spec = user.Apply(spec);
        var next = manifests.Build(spec, name).OfType<V1Deployment>().Single();
        // The Deployment's RollingUpdate strategy (maxUnavailable 0, maxSurge 1) rolls one replica at a time; replicas stay as they are.
        await PatchDeploymentAsync(name, new { spec = new { template = next.Spec.Template } }, ct);
        return id;
    }

    private async Task PatchDeploymentAsync(string name, object patch, CancellationToken ct)
    {
        try
        {
            await cluster.CallAsync($"changing Deployment {name}", (k, t) =>
                k.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), name, Ns, cancellationToken: t), ct);
        }
        catch (ContainerManagerException e) when (KubeCluster.CodeOf(e) == 404)
        {
            throw new ContainerManagerException($"The deployment {name} no longer exists.", e);
        }
    }

    public async Task<IReadOnlyList<WorkloadInfo>> ListOwnedAsync(CancellationToken ct)
    {
        var owned = new List<IKubernetesObject<V1ObjectMeta>>();
        owned.AddRange((await cluster.CallAsync($"listing jobs in {Ns}",
            (k, t) => k.BatchV1.ListNamespacedJobAsync(Ns, labelSelector: Owned, cancellationToken: t), ct)).Items);
        owned.AddRange((await cluster.CallAsync($"listing deployments in {Ns}",
            (k, t) => k.AppsV1.ListNamespacedDeploymentAsync(Ns, labelSelector: Owned, cancellationToken: t), ct)).Items);
        // A Job's or a Deployment's pods are not workloads of their own; IDE pods carry the portal's kind annotation.
        owned.AddRange((await cluster.CallAsync($"listing pods in {Ns}",
                (k, t) => k.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: Owned, cancellationToken: t), ct)).Items
            .Where(p => p.Metadata.OwnerReferences is not { Count: > 0 } && p.Metadata.Annotations?.ContainsKey(PortalLabels.Kind) == true));
        var result = new List<WorkloadInfo>();
        foreach (var o in owned)
        {
            var name = o.Metadata.Name;
            var labels = (o.Metadata.Annotations ?? o.Metadata.Labels ?? new Dictionary<string, string>())
                .Where(p => p.Key.StartsWith("io.mlops-portal.", StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value);
            var id = $"{KindOf(o)}/{name}";
            // The listed object is the workload as it stands: no second read for its status.
            result.Add(new WorkloadInfo(id, name, labels, _stops.Contains(id) ? StopRequests.Status : await StatusOfAsync(KindOf(o), name, o, ct)));
        }
        return result;
    }

    public ValueTask DisposeAsync() => _pods.DisposeAsync();

    /// <summary>Writes the pull secret from kube.registry_credential (again, so a changed login applies); false when none is configured.</summary>
    private async Task<bool> EnsurePullSecretAsync(CancellationToken ct)
    {
        if (pullCredential is null || await pullCredential.GetAsync(ct) is not { } auth) return false;
        var secret = manifests.PullSecret(auth);
        try { await CreateAsync(secret, ct); }
        catch (ContainerManagerException e) when (KubeCluster.CodeOf(e) == 409)
        {
            await cluster.CallAsync($"changing Secret {KubeManifests.RegistrySecret}", (k, t) => k.CoreV1.PatchNamespacedSecretAsync(
                new V1Patch(new { data = secret.Data }, V1Patch.PatchType.MergePatch), KubeManifests.RegistrySecret, Ns, cancellationToken: t), ct);
        }
        return true;
    }

    /// <summary>The workload and everything made with it (its Service, its autoscaler), found by the workload label.</summary>
    private async Task DeleteAllAsync(string id, CancellationToken ct)
    {
        var (kind, name) = Split(id);
        var selector = $"{KubeManifests.WorkloadLabel}={name}";
        await DeleteAsync(kind, name, ct);
        foreach (var service in (await cluster.CallAsync($"listing services in {Ns}",
                     (k, t) => k.CoreV1.ListNamespacedServiceAsync(Ns, labelSelector: selector, cancellationToken: t), ct)).Items)
            await DeleteAsync("Service", service.Metadata.Name, ct);
        foreach (var hpa in (await cluster.CallAsync($"listing autoscalers in {Ns}",
                     (k, t) => k.AutoscalingV2.ListNamespacedHorizontalPodAutoscalerAsync(Ns, labelSelector: selector, cancellationToken: t), ct)).Items)
            await DeleteAsync("HorizontalPodAutoscaler", hpa.Metadata.Name, ct);
    }

    private Task CreateAsync(IKubernetesObject<V1ObjectMeta> o, CancellationToken ct) =>
        cluster.CallAsync($"creating {o.Kind} {o.Metadata.Name}", (k, t) => o switch
        {
            V1Job job => k.BatchV1.CreateNamespacedJobAsync(job, Ns, cancellationToken: t),
            V1Deployment deployment => k.AppsV1.CreateNamespacedDeploymentAsync(deployment, Ns, cancellationToken: t),
            V1Pod pod => k.CoreV1.CreateNamespacedPodAsync(pod, Ns, cancellationToken: t),
            V1Service service => k.CoreV1.CreateNamespacedServiceAsync(service, Ns, cancellationToken: t),
            V2HorizontalPodAutoscaler hpa => k.AutoscalingV2.CreateNamespacedHorizontalPodAutoscalerAsync(hpa, Ns, cancellationToken: t),
            V1PersistentVolumeClaim claim => k.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(claim, Ns, cancellationToken: t),
            V1Secret secret => k.CoreV1.CreateNamespacedSecretAsync(secret, Ns, cancellationToken: t),
            _ => throw new ArgumentOutOfRangeException(nameof(o), o.Kind, "not a kind the portal creates"),
        }, ct);

    /// <summary>The workload, or null when it is gone.</summary>
    private Task<IKubernetesObject<V1ObjectMeta>?> ReadAsync(string kind, string name, CancellationToken ct) =>
        cluster.FindAsync<IKubernetesObject<V1ObjectMeta>>($"reading {kind} {name}", async (k, t) => kind switch
        {
            "Job" => await k.BatchV1.ReadNamespacedJobAsync(name, Ns, cancellationToken: t),
            "Deployment" => await k.AppsV1.ReadNamespacedDeploymentAsync(name, Ns, cancellationToken: t),
            _ => await k.CoreV1.ReadNamespacedPodAsync(name, Ns, cancellationToken: t),
        }, ct);

    /// <summary>Deletes an object and, in the background, what it owns (a Job's pods); one that is gone is fine.</summary>
    private async Task DeleteAsync(string kind, string name, CancellationToken ct)
    {
        var background = new V1DeleteOptions { PropagationPolicy = "Background" };
        try
        {
            await cluster.CallAsync($"deleting {kind} {name}", (k, t) => kind switch
            {
                "Job" => k.BatchV1.DeleteNamespacedJobAsync(name, Ns, background, cancellationToken: t),
                "Deployment" => k.AppsV1.DeleteNamespacedDeploymentAsync(name, Ns, background, cancellationToken: t),
                "Pod" => k.CoreV1.DeleteNamespacedPodAsync(name, Ns, background, cancellationToken: t),
                "Service" => k.CoreV1.DeleteNamespacedServiceAsync(name, Ns, background, cancellationToken: t),
                "HorizontalPodAutoscaler" => k.AutoscalingV2.DeleteNamespacedHorizontalPodAutoscalerAsync(name, Ns, background, cancellationToken: t),
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a kind the portal deletes"),
            }, ct);
        }
        catch (ContainerManagerException e) when (KubeCluster.CodeOf(e) == 404) { }
    }

    private static string KindOf(IKubernetesObject<V1ObjectMeta> o) => o switch
    {
        V1Job => "Job",
        V1Deployment => "Deployment",
        _ => "Pod",
    };

    private static WorkloadStatus JobStatus(V1Job job, IReadOnlyList<V1Pod> pods)
    {
        var pod = pods.Count > 0 ? pods[^1] : null;
        if ((job.Status?.Succeeded ?? 0) > 0 && pod is null) return new WorkloadStatus(WorkloadState.Succeeded, 0);
        if ((job.Status?.Failed ?? 0) > 0 && pod is null) return new WorkloadStatus(WorkloadState.Failed, Message: "Its pod failed.");
        if (pod is null) return new WorkloadStatus(WorkloadState.Pending, Message: "Waiting for Kubernetes to create the pod.");
        return pod.Status?.Phase switch
        {
            "Running" => new WorkloadStatus(WorkloadState.Running, RunningReplicas: 1),
            "Succeeded" => new WorkloadStatus(WorkloadState.Succeeded, ExitCode(pod) ?? 0),
            "Failed" => new WorkloadStatus(WorkloadState.Failed, ExitCode(pod), Ended(pod)),
            _ => new WorkloadStatus(WorkloadState.Pending, Message: Waiting(pod) ?? "Waiting for the pod to start."),
        };
    }

    private static WorkloadStatus ServiceStatus(IReadOnlyList<V1Pod> pods, int desired)
    {
        var live = pods.Where(p => p.Metadata.DeletionTimestamp is null).ToList();
        var running = live.Count(p => p.Status?.Phase == "Running" && Condition(p, "Ready") == "True");
        if (running > 0) return new WorkloadStatus(WorkloadState.Running, RunningReplicas: running, DesiredReplicas: desired);
        // The same word on every manager: a service scaled to zero is stopped (Swarm says so too), until it is scaled up.
        if (desired == 0) return new WorkloadStatus(WorkloadState.Stopped, Message: "Scaled to zero replicas.", DesiredReplicas: 0);
        var why = live.Select(p => p.Status?.Phase == "Failed" ? Ended(p) : Waiting(p)).FirstOrDefault(m => m is not null);
        return new WorkloadStatus(WorkloadState.Pending, Message: why ?? "Waiting for a replica to be ready.", DesiredReplicas: desired);
    }

    /// <summary>Why a pod is not running yet, in words: scheduling, image pulls, container creation.</summary>
    private static string? Waiting(V1Pod pod)
    {
        var unscheduled = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False");
        if (unscheduled is not null) return $"Kubernetes cannot place it yet: {unscheduled.Message}";
        var waiting = pod.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting;
        return waiting?.Reason switch
        {
            null => null,
            "ContainerCreating" or "PodInitializing" => "Starting the container.",
            "ImagePullBackOff" or "ErrImagePull" => $"Kubernetes cannot pull the image: {waiting.Message ?? waiting.Reason}. " +
                "Check the image name and the pull secret (docker.registry_secret).",
            var reason => $"{reason}: {waiting.Message}".TrimEnd(' ', ':'),
        };
    }

    private static string? Ended(V1Pod pod)
    {
        var terminated = pod.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Terminated;
        return terminated?.Reason switch
        {
            "OOMKilled" => "It ran out of memory (the resource profile's memory limit) and was killed.",
            null => pod.Status?.Message,
            var reason => string.Create(CultureInfo.InvariantCulture, $"Its container ended: {reason} (exit code {terminated.ExitCode})."),
        };
    }

    private static int? ExitCode(V1Pod pod) => pod.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Terminated?.ExitCode;

    private static string? Condition(V1Pod pod, string type) => pod.Status?.Conditions?.FirstOrDefault(c => c.Type == type)?.Status;

    private static bool IsWorkload(IKubernetesObject<V1ObjectMeta> o) => o is V1Job or V1Pod or V1Deployment;

    private static (string Kind, string Name) Split(string id)
    {
        var parts = id.Split('/', 2);
        return parts.Length == 2 && parts[0] is "Job" or "Pod" or "Deployment" ? (parts[0], parts[1])
            : throw new ContainerManagerException($"'{id}' is not a Kubernetes workload of the portal (Job/…, Pod/… or Deployment/…).");
    }

    /// <summary>A log line with the server's RFC 3339 timestamp in front; everything a container writes arrives as stdout.</summary>
    private static LogLine Parse(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        // Kubernetes writes nanoseconds; .NET parses at most seven fractional digits.
        var stamp = space > 0 ? ExtraFractionDigits().Replace(line[..space], "$1") : "";
        if (space > 0 && DateTime.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at))
            return new LogLine(at, LogSource.Stdout, line[(space + 1)..]);
        return new LogLine(DateTime.UtcNow, LogSource.Stdout, line);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(\.\d{7})\d+")]
    private static partial System.Text.RegularExpressions.Regex ExtraFractionDigits();
}
