using System.Text.Json.Nodes;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Orchestration.Kubernetes;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Kubernetes;

/// <summary>What the Kubernetes manager would create, field by field, and checked against the official schemas by kubernetes-models.</summary>
public sealed class KubeManifestsTests
{
    private const string DataDir = "/srv/portal/data";

    private static readonly ResourceProfile Train = new()
    {
        Requests = new ResourceAmounts { Cpu = 0.125, Memory = 1024 }, Limits = new ResourceAmounts { Cpu = 2.5, Memory = 4096 }, EnableGpu = true,
    };

    private static readonly ResourceProfile Elastic = new()
    {
        Requests = new ResourceAmounts { Cpu = 0.001, Memory = 256 }, Limits = new ResourceAmounts { Cpu = 1, Memory = 512 },
        ServiceType = "NodePort", AutoScale = true, MinReplicas = 2, MaxReplicas = 6, TargetCpuUtilizationPercentage = 70,
    };

    /// <summary>An object as the client sends it to the API server.</summary>
    private static JsonObject Json(object o) => JsonNode.Parse(k8s.KubernetesJson.Serialize(o))!.AsObject();

    private static List<JsonObject> Json(IEnumerable<k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>> objects) => [.. objects.Select(o => Json((object)o))];

    /// <summary>The same JSON, whatever the order of properties (the client writes them in its own order).</summary>
    private static void Same(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}, was {actual?.ToJsonString()}");

    private static KubeManifests Manifests(NfsConfig? nfs = null, string? secret = "regcred") =>
        new(new KubeConfig { Namespace = "ml", StorageClass = "fast", VolumeSize = "20Gi", VolumeAccessMode = "ReadWriteMany", Nfs = nfs }, secret, DataDir);

    private static WorkloadSpec Training() => new()
    {
        Name = "train-7-rf", Kind = WorkloadKind.Task, Image = "registry.example.com/iris:v1", Command = ["python3", "-m", "portal_toolkit.run"],
        Env = new Dictionary<string, string> { ["PORTAL_TASK_TOKEN"] = "t", ["A"] = "1" },
        Mounts = [new MountSpec($"{DataDir}/work/trainings/7", "/portal/work"), new MountSpec($"{DataDir}/files/datasets/3/files", "/portal/datasets/d", ReadOnly: true),
                  new MountSpec("/home/alice/iris", "/portal/project", ReadOnly: true)],
        Resources = Train, WorkingDir = "/portal/work",
        Labels = WorkloadLabels.Of("tests", "training", 7, "rf", "iris/with slash"),
    };

    private static WorkloadSpec Ide() => new()
    {
        Name = "ide-3-alice-lab", Kind = WorkloadKind.Service, Image = "portal/notebook-base:latest", Command = ["jupyter", "notebook"],
        Mounts = [new MountSpec("portal-home-alice", "/home/portal", Kind: MountKind.Volume), new MountSpec("portal-shared", "/shared", Kind: MountKind.Volume)],
        Ports = [new PortSpec(8888)], Labels = WorkloadLabels.Of("tests", "ide", 3, "lab"),
    };

    private static WorkloadSpec Deployment() => new()
    {
        Name = "deployment-5-iris-api", Kind = WorkloadKind.Service, Image = "portal/notebook-base:latest", Command = ["python3", "-m", "portal_toolkit.serve"],
        Ports = [new PortSpec(8080, 30080)], Replicas = 3, Resources = Elastic,
        HealthCheck = HealthCheckSpec.HttpGet("/health", 8080, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(3), 4, TimeSpan.FromSeconds(60)),
        Labels = WorkloadLabels.Of("tests", "deployment", 5, "iris-api", "iris"),
    };

    [Fact]
    public void A_training_is_a_job_that_runs_once_with_exact_resources_gpu_and_its_data_from_the_data_claim()
    {
        var name = KubeManifests.NameFor(Training());
        Assert.Matches("^portal-train-7-rf-[0-9a-f]{6}$", name);
        var job = Assert.Single(Json(Manifests().Build(Training(), name)));
        Assert.Equal(("batch/v1", "Job", "ml"), (job["apiVersion"]!.GetValue<string>(), job["kind"]!.GetValue<string>(), job["metadata"]!["namespace"]!.GetValue<string>()));
        Assert.Equal(0, job["spec"]!["backoffLimit"]!.GetValue<int>());
        Assert.Equal(3600, job["spec"]!["ttlSecondsAfterFinished"]!.GetValue<int>());
        var pod = job["spec"]!["template"]!["spec"]!;
        Assert.Equal("Never", pod["restartPolicy"]!.GetValue<string>());
        Assert.Equal("regcred", pod["imagePullSecrets"]![0]!["name"]!.GetValue<string>());
        var container = pod["containers"]![0]!;
        Same("""{"requests":{"cpu":"125m","memory":"1Gi"},"limits":{"cpu":"2500m","memory":"4Gi","nvidia.com/gpu":"1"}}""", container["resources"]!);
        Assert.Equal(["A", "PORTAL_TASK_TOKEN"], container["env"]!.AsArray().Select(e => e!["name"]!.GetValue<string>()));
        var volumes = pod["volumes"]!.AsArray();
        Same("""{"claimName":"portal-data","readOnly":false}""", volumes[0]!["persistentVolumeClaim"]!);
        Assert.Equal("work/trainings/7", container["volumeMounts"]![0]!["subPath"]!.GetValue<string>());
        Assert.Equal("files/datasets/3/files", container["volumeMounts"]![1]!["subPath"]!.GetValue<string>());
        Assert.Equal("/home/alice/iris", volumes[2]!["hostPath"]!["path"]!.GetValue<string>());
        // Label values cannot hold '/'; the exact value rides in the annotations.
        Assert.Equal("iris-with-slash", job["metadata"]!["labels"]![PortalLabels.Project]!.GetValue<string>());
        Assert.Equal("iris/with slash", job["metadata"]!["annotations"]![PortalLabels.Project]!.GetValue<string>());
        Assert.Equal(name, job["metadata"]!["labels"]![KubeManifests.WorkloadLabel]!.GetValue<string>());
    }

    [Fact]
    public void With_nfs_the_data_directory_and_named_volumes_come_from_the_nfs_server()
    {
        var manifests = Manifests(new NfsConfig { Server = "10.0.0.5", Path = "/exports/portal" }, secret: null);
        var job = Assert.Single(Json(manifests.Build(Training(), "portal-train-7-rf-abcdef")));
        var pod = job["spec"]!["template"]!["spec"]!;
        Assert.Null(pod["imagePullSecrets"]);
        Same("""{"server":"10.0.0.5","path":"/exports/portal/files/datasets/3/files","readOnly":true}""", pod["volumes"]![1]!["nfs"]!);
        var ide = Json(manifests.Build(Ide(), "portal-ide-3-alice-lab-abcdef"));
        Assert.Equal(["Pod", "Service"], ide.Select(o => o["kind"]!.GetValue<string>()));
        Assert.Equal("/exports/portal/volumes/portal-vol-portal-home-alice", ide[0]["spec"]!["volumes"]![0]!["nfs"]!["path"]!.GetValue<string>());
    }

    [Fact]
    public void An_ide_session_is_a_pod_and_a_service_with_claims_for_its_volumes()
    {
        var objects = Json(Manifests().Build(Ide(), "portal-ide-3-alice-lab-abcdef"));
        Assert.Equal(["PersistentVolumeClaim", "PersistentVolumeClaim", "Pod", "Service"], objects.Select(o => o["kind"]!.GetValue<string>()));
        Assert.Equal("portal-vol-portal-home-alice", objects[0]["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("fast", objects[0]["spec"]!["storageClassName"]!.GetValue<string>());
        Same("""{"accessModes":["ReadWriteMany"],"storageClassName":"fast","resources":{"requests":{"storage":"20Gi"}}}""", objects[0]["spec"]!);
        Assert.Equal("Always", objects[2]["spec"]!["restartPolicy"]!.GetValue<string>());
        var service = objects[3]["spec"]!;
        Assert.Equal("ClusterIP", service["type"]!.GetValue<string>());
        Assert.Equal("portal-ide-3-alice-lab-abcdef", service["selector"]![KubeManifests.WorkloadLabel]!.GetValue<string>());
    }

    [Fact]
    public void A_deployment_rolls_one_replica_at_a_time_probes_health_and_autoscales_on_cpu()
    {
        var objects = Json(Manifests().Build(Deployment(), "portal-deployment-5-iris-api-abcdef"));
        Assert.Equal(["Deployment", "HorizontalPodAutoscaler", "Service"], objects.Select(o => o["kind"]!.GetValue<string>()));
        var spec = objects[0]["spec"]!;
        Assert.Equal(3, spec["replicas"]!.GetValue<int>());
        Same("""{"maxUnavailable":0,"maxSurge":1}""", spec["strategy"]!["rollingUpdate"]!);
        var container = spec["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("1m", container["resources"]!["requests"]!["cpu"]!.GetValue<string>());
        Assert.Equal((0, 10, 3, 4), (container["readinessProbe"]!["initialDelaySeconds"]!.GetValue<int>(), container["readinessProbe"]!["periodSeconds"]!.GetValue<int>(),
            container["readinessProbe"]!["timeoutSeconds"]!.GetValue<int>(), container["readinessProbe"]!["failureThreshold"]!.GetValue<int>()));
        Assert.Equal(60, container["livenessProbe"]!["initialDelaySeconds"]!.GetValue<int>());
        Assert.Equal("python3", container["livenessProbe"]!["exec"]!["command"]![0]!.GetValue<string>());
        var hpa = objects[1]["spec"]!;
        Assert.Equal((2, 6, 70), (hpa["minReplicas"]!.GetValue<int>(), hpa["maxReplicas"]!.GetValue<int>(), hpa["metrics"]![0]!["resource"]!["target"]!["averageUtilization"]!.GetValue<int>()));
        var service = objects[2]["spec"]!;
        Assert.Equal(("NodePort", 30080), (service["type"]!.GetValue<string>(), service["ports"]![0]!["nodePort"]!.GetValue<int>()));
    }

    [Fact]
    public void Every_pod_runs_user_code_as_a_non_root_user_without_capabilities_privilege_escalation_or_the_service_account_token()
    {
        foreach (var spec in new[] { Training(), Ide() with { User = "1001:100" }, Deployment() })
        {
            var pod = Json(Manifests().Build(spec, KubeManifests.NameFor(spec))).Select(o => o["kind"]!.GetValue<string>() switch
            {
                "Pod" => o["spec"],
                "Job" or "Deployment" => o["spec"]!["template"]!["spec"],
                _ => null,
            }).Single(p => p is not null)!;
            Assert.False(pod["automountServiceAccountToken"]!.GetValue<bool>());
            var (uid, gid) = spec.User == "1001:100" ? (1001, 100) : (1000, 1000);
            Same($$$"""{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]},"runAsGroup":{{{gid}}},"runAsNonRoot":true,"runAsUser":{{{uid}}},"seccompProfile":{"type":"RuntimeDefault"}}""",
                pod["containers"]![0]!["securityContext"]);
            Same($$$"""{"fsGroup":{{{gid}}}}""", pod["securityContext"]);
        }
    }

    [Theory]
    [InlineData(0.001, "1m")]
    [InlineData(0.5, "500m")]
    [InlineData(1, "1000m")]
    [InlineData(2.345, "2345m")]
    [InlineData(0.1 + 0.2, "300m")]
    public void Cores_become_exact_millicores(double cores, string expected) => Assert.Equal(expected, KubeManifests.Cpu(cores));

    [Fact]
    public async Task Every_generated_object_passes_the_official_kubernetes_schemas()
    {
        KubeSchemas.Require();
        using var dir = new TempDir();
        var all = new JsonArray();
        foreach (var manifests in new[] { Manifests(), Manifests(new NfsConfig { Server = "10.0.0.5", Path = "/exports/portal" }, null) })
            foreach (var spec in new[] { Training(), Ide(), Deployment() })
                foreach (var o in Json(manifests.Build(spec, KubeManifests.NameFor(spec), withRegistrySecret: true))) all.Add(o);
        all.Add(Json(Manifests().PullSecret(new Portal.Core.Builds.RegistryAuth("robot", "s3cret", null))));
        var file = Path.Combine(dir.Path, "generated.json");
        await File.WriteAllTextAsync(file, all.ToJsonString());

        var results = await KubeSchemas.ValidateAsync(file);
        Assert.Equal(all.Count, results.Count);
        Assert.All(results, r => Assert.True(r.Ok, $"{r.Kind} {r.Name}: {r.Error}"));

        // The check can fail: a quantity Kubernetes would refuse is caught.
        var broken = (JsonObject)all[0]!.DeepClone();
        broken["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]!["limits"]!["cpu"] = "two cores";
        await File.WriteAllTextAsync(file, new JsonArray(broken).ToJsonString());
        Assert.Contains("quantity", Assert.Single(await KubeSchemas.ValidateAsync(file)).Error);
    }
}
