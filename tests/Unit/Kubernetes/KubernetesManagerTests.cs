using System.Text.Json.Nodes;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Orchestration.Kubernetes;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Kubernetes;

/// <summary>
/// The Kubernetes manager against the API protocol double (no cluster can run here). The test plays the
/// controllers: it makes the pods a Job or a Deployment would, moves them through their phases and writes their logs.
/// </summary>
public sealed class KubernetesManagerTests : IAsyncLifetime
{
    private const string Ns = "ml";
    private const string Pods = "api/v1/namespaces/ml/pods";
    private KubeApiDouble _api = default!;
    private TempDir _dir = default!;
    private KubeCluster _client = default!;
    private KubernetesManager _manager = default!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiDouble.StartAsync();
        _dir = new TempDir();
        _client = KubernetesSetup.Connect(
            KubernetesSetup.Configuration(_api.Kubeconfig(_dir.Path), null, new Dictionary<string, string?>(), _dir.Path), TimeSpan.FromSeconds(5));
        _manager = NewManager();
    }

    private KubernetesManager NewManager() => new(_client, new KubeManifests(new KubeConfig { Namespace = Ns }, null, "/srv/portal/data"));

    public async Task DisposeAsync()
    {
        await _manager.DisposeAsync();
        _client.Dispose();
        await _api.DisposeAsync();
        _dir.Dispose();
    }

    private static WorkloadSpec Spec(string name, WorkloadKind kind, string labelKind, int replicas = 1) => new()
    {
        Name = name, Kind = kind, Image = "portal/notebook-base:latest", Command = ["python3", "-c", "print(1)"], Replicas = replicas,
        Ports = kind == WorkloadKind.Service ? [new PortSpec(8080)] : [],
        Labels = WorkloadLabels.Of("tests", labelKind, 42, name, "iris"),
    };

    private JsonObject MakePod(string workload, string pod, string ownerKind = "Job") => _api.MakePod(Ns, workload, pod, ownerKind);

    private static async Task<WorkloadStatus> EventuallyAsync(Func<Task<WorkloadStatus>> read, Func<WorkloadStatus, bool> done)
    {
        WorkloadStatus status = await read();
        for (var i = 0; i < 100 && !done(status); i++)
        {
            await Task.Delay(50);
            status = await read();
        }
        return status;
    }

    [Fact]
    public async Task Protocol_double_a_training_job_goes_pending_running_succeeded_with_its_log_followed_to_the_end()
    {
        var id = await _manager.StartAsync(Spec("train-42-rf", WorkloadKind.Task, "training"), CancellationToken.None);
        Assert.StartsWith("Job/portal-train-42-rf-", id);
        var name = id["Job/".Length..];
        Assert.Equal(WorkloadState.Pending, (await _manager.GetStatusAsync(id, CancellationToken.None)).State);

        MakePod(name, $"{name}-x1");
        _api.Put(Pods, SetWaiting(_api.Get(Pods, $"{name}-x1")!, "ImagePullBackOff", "Back-off pulling image \"portal/notebook-base:latest\""));
        var pulling = await EventuallyAsync(() => _manager.GetStatusAsync(id, CancellationToken.None), s => s.Message?.Contains("cannot pull") == true);
        Assert.Contains("docker.registry_secret", pulling.Message);

        var lines = new List<string>();
        var following = Task.Run(async () =>
        {
            await foreach (var line in _manager.ReadLogsAsync(id, follow: true, CancellationToken.None)) lines.Add(line.Text);
        });
        _api.SetPodPhase(Ns, $"{name}-x1", "Running");
        Assert.Equal(WorkloadState.Running, (await EventuallyAsync(() => _manager.GetStatusAsync(id, CancellationToken.None), s => s.State == WorkloadState.Running)).State);
        await Task.Delay(300);
        _api.WriteLog($"{name}-x1", "2026-11-22T10:00:00.123456789Z step 1", "2026-11-22T10:00:01.000000000Z done");
        _api.SetPodPhase(Ns, $"{name}-x1", "Succeeded", 0);
        await following.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["step 1", "done"], lines);
        var done = await EventuallyAsync(() => _manager.GetStatusAsync(id, CancellationToken.None), s => s.IsFinal);
        Assert.Equal((WorkloadState.Succeeded, 0), (done.State, done.ExitCode));
    }

    [Fact]
    public async Task Protocol_double_a_failed_pod_says_why_and_a_stopped_job_is_deleted_with_its_pods()
    {
        var id = await _manager.StartAsync(Spec("train-42-oom", WorkloadKind.Task, "training"), CancellationToken.None);
        var name = id["Job/".Length..];
        MakePod(name, $"{name}-a");
        _api.SetPodPhase(Ns, $"{name}-a", "Failed", 137, "OOMKilled");
        var failed = await EventuallyAsync(() => _manager.GetStatusAsync(id, CancellationToken.None), s => s.IsFinal);
        Assert.Equal((WorkloadState.Failed, 137), (failed.State, failed.ExitCode));
        Assert.Contains("ran out of memory", failed.Message);

        var other = await _manager.StartAsync(Spec("train-43-long", WorkloadKind.Task, "training"), CancellationToken.None);
        await _manager.StopAsync(other, CancellationToken.None);
        Assert.Equal(WorkloadState.Stopped, (await _manager.GetStatusAsync(other, CancellationToken.None)).State);
        Assert.Null(_api.Get($"apis/batch/v1/namespaces/{Ns}/jobs", other["Job/".Length..]));
        Assert.Contains(_api.Requests, r => r.StartsWith($"DELETE apis/batch/v1/namespaces/{Ns}/jobs/{other["Job/".Length..]}", StringComparison.Ordinal));

        await _manager.RemoveAsync(id, CancellationToken.None);
        Assert.Equal(WorkloadState.Missing, (await _manager.GetStatusAsync(id, CancellationToken.None)).State);
    }

    [Fact]
    public async Task Protocol_double_a_deployment_has_replicas_scales_rolls_and_is_cleaned_up_by_label()
    {
        var id = await _manager.StartAsync(Spec("deployment-42-api", WorkloadKind.Service, "deployment", replicas: 2), CancellationToken.None);
        Assert.StartsWith("Deployment/", id);
        var name = id["Deployment/".Length..];
        Assert.NotNull(_api.Get($"api/v1/namespaces/{Ns}/services", name));
        foreach (var (pod, ip) in new[] { ($"{name}-a", "10.1.0.5"), ($"{name}-b", "10.1.0.6") })
        {
            var p = MakePod(name, pod, "ReplicaSet");
            p["status"] = new JsonObject
            {
                ["phase"] = "Running", ["podIP"] = ip,
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }),
            };
            _api.Put(Pods, p);
        }
        var running = await EventuallyAsync(() => _manager.GetStatusAsync(id, CancellationToken.None), s => s.RunningReplicas == 2);
        Assert.Equal((WorkloadState.Running, 2, 2), (running.State, running.RunningReplicas, running.DesiredReplicas));
        var replicas = await _manager.ListReplicasAsync(id, CancellationToken.None);
        Assert.Equal(["http://10.1.0.5:8080", "http://10.1.0.6:8080"], replicas.Select(r => r.Endpoint).Order());

        // Scale to zero puts an idle deployment to sleep and wakes it: zero replicas, then the count again.
        await _manager.ScaleAsync(id, 0, CancellationToken.None);
        Assert.Equal(0, _api.Get($"apis/apps/v1/namespaces/{Ns}/deployments", name)!["spec"]!["replicas"]!.GetValue<int>());
        await _manager.ScaleAsync(id, 5, CancellationToken.None);
        Assert.Equal(5, _api.Get($"apis/apps/v1/namespaces/{Ns}/deployments", name)!["spec"]!["replicas"]!.GetValue<int>());
        await _manager.UpdateAsync(id, Spec("deployment-42-api", WorkloadKind.Service, "deployment") with { Image = "portal/iris:v2" }, CancellationToken.None);
        var deployment = _api.Get($"apis/apps/v1/namespaces/{Ns}/deployments", name)!;
        Assert.Equal("portal/iris:v2", deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        Assert.Equal(5, deployment["spec"]!["replicas"]!.GetValue<int>());

        // After a restart, a new manager finds the workload by its labels, with the exact values from the annotations.
        await using (var restarted = NewManager())
        {
            var owned = Assert.Single(await restarted.ListOwnedAsync(CancellationToken.None));
            Assert.Equal((id, "deployment", "42", "iris"), (owned.Id, owned.Labels[PortalLabels.Kind], owned.Labels[PortalLabels.RecordId], owned.Labels[PortalLabels.Project]));
        }

        await _manager.RemoveAsync(id, CancellationToken.None);
        Assert.Null(_api.Get($"apis/apps/v1/namespaces/{Ns}/deployments", name));
        Assert.Null(_api.Get($"api/v1/namespaces/{Ns}/services", name));
    }

    [Fact]
    public async Task Protocol_double_the_watch_survives_a_compacted_history_and_a_closed_stream()
    {
        var id = await _manager.StartAsync(Spec("train-42-w", WorkloadKind.Task, "training"), CancellationToken.None);
        var name = id["Job/".Length..];
        Assert.Equal(WorkloadState.Pending, (await _manager.GetStatusAsync(id, CancellationToken.None)).State);
        _api.Compact();
        _api.CloseWatches();
        await Task.Delay(300);
        // Closed before any event: the client's failed read must not stop the cache from watching again.
        _api.CloseWatches();
        MakePod(name, $"{name}-p");
        _api.SetPodPhase(Ns, $"{name}-p", "Running");
        Assert.Equal(WorkloadState.Running, (await EventuallyAsync(() => _manager.GetStatusAsync(id, CancellationToken.None), s => s.State == WorkloadState.Running)).State);
        _api.CloseWatches();
        _api.SetPodPhase(Ns, $"{name}-p", "Succeeded", 0);
        Assert.Equal(WorkloadState.Succeeded, (await EventuallyAsync(() => _manager.GetStatusAsync(id, CancellationToken.None), s => s.IsFinal)).State);
        // The pods were listed again after the 410, and watched again after each close.
        var requests = _api.Requests;
        static bool IsWatch(string r) => r.Contains("watch=true", StringComparison.Ordinal);
        Assert.True(requests.Count(r => r.StartsWith($"GET {Pods}?", StringComparison.Ordinal) && !IsWatch(r)) >= 2, string.Join("\n", requests));
        Assert.True(requests.Count(r => r.StartsWith($"GET {Pods}?", StringComparison.Ordinal) && IsWatch(r)) >= 3, string.Join("\n", requests));
    }

    private sealed class PullLogin(string password) : IPullCredentialSource
    {
        public Task<Portal.Core.Builds.RegistryAuth?> GetAsync(CancellationToken ct) =>
            Task.FromResult<Portal.Core.Builds.RegistryAuth?>(new("robot", password, "registry.example.com"));
    }

    [Fact]
    public async Task Protocol_double_a_vault_registry_login_becomes_the_pull_secret_of_every_pod_and_is_kept_current()
    {
        var manifests = new KubeManifests(new KubeConfig { Namespace = Ns }, "existing-secret", "/srv/portal/data");
        await using (var first = new KubernetesManager(_client, manifests, new PullLogin("one")))
            await first.StartAsync(Spec("train-42-a", WorkloadKind.Task, "training"), CancellationToken.None);
        await using (var second = new KubernetesManager(_client, manifests, new PullLogin("two")))
        {
            var id = await second.StartAsync(Spec("train-42-b", WorkloadKind.Task, "training"), CancellationToken.None);
            var pullSecrets = _api.Get($"apis/batch/v1/namespaces/{Ns}/jobs", id["Job/".Length..])!["spec"]!["template"]!["spec"]!["imagePullSecrets"]!;
            Assert.Equal(["portal-registry", "existing-secret"], pullSecrets.AsArray().Select(s => s!["name"]!.GetValue<string>()));
        }
        var secret = _api.Get($"api/v1/namespaces/{Ns}/secrets", "portal-registry")!;
        Assert.Equal("kubernetes.io/dockerconfigjson", secret["type"]!.GetValue<string>());
        var config = JsonNode.Parse(Convert.FromBase64String(secret["data"]![".dockerconfigjson"]!.GetValue<string>()))!;
        var login = config["auths"]!["registry.example.com"]!;
        Assert.Equal(("robot", "two"), (login["username"]!.GetValue<string>(), login["password"]!.GetValue<string>()));
        Assert.Equal(Convert.ToBase64String("robot:two"u8.ToArray()), login["auth"]!.GetValue<string>());
    }

    [Fact]
    public async Task Protocol_double_refusals_become_sentences_and_nothing_half_made_is_left()
    {
        _api.Forbidden.Add("create services");
        var e = await Assert.ThrowsAsync<ContainerManagerException>(() => _manager.StartAsync(Spec("deployment-42-x", WorkloadKind.Service, "deployment"), CancellationToken.None));
        Assert.Contains("portal-rbac.yaml", e.Message);
        Assert.Empty(_api.All($"apis/apps/v1/namespaces/{Ns}/deployments"));

        var health = await _manager.CheckAsync(CancellationToken.None);
        Assert.True(health.Ready, string.Join(" ", health.Problems));
        _api.Forbidden.Add("list jobs");
        var refused = await _manager.CheckAsync(CancellationToken.None);
        Assert.False(refused.Ready);
        Assert.Contains("cannot list resource \"jobs\"", string.Join(" ", refused.Problems));
    }

    private static JsonObject SetWaiting(JsonObject pod, string reason, string message)
    {
        pod["status"] = new JsonObject
        {
            ["phase"] = "Pending",
            ["containerStatuses"] = new JsonArray(new JsonObject { ["name"] = "main", ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = reason, ["message"] = message } } }),
        };
        return pod;
    }
}
