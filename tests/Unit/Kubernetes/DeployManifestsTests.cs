using System.Text.Json.Nodes;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Orchestration.Kubernetes;
using Portal.Tests.Unit.Support;
using YamlDotNet.RepresentationModel;

namespace Portal.Tests.Unit.Kubernetes;

/// <summary>deploy/kubernetes: valid against the official schemas, consistent with the manager, and its Role exactly what the manager uses.</summary>
public sealed class DeployManifestsTests
{
    private static string Folder => Path.Combine(RepoRoot.Path, "deploy", "kubernetes");

    private static IEnumerable<YamlMappingNode> Documents(string file)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(Folder, file))));
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode);
    }

    private static string S(YamlNode node, params string[] path)
    {
        foreach (var key in path) node = ((YamlMappingNode)node)[key];
        return ((YamlScalarNode)node).Value!;
    }

    [Fact]
    public async Task Every_manifest_in_deploy_kubernetes_passes_the_official_schemas_and_kustomize_lists_them_all()
    {
        var files = Directory.GetFiles(Folder, "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml").Order().ToArray();
        var results = await KubeSchemas.ValidateAsync(files);
        Assert.Equal(11, results.Count);
        Assert.All(results, r => Assert.True(r.Ok, $"{Path.GetFileName(r.File)} {r.Kind} {r.Name}: {r.Error}"));
        var listed = ((YamlSequenceNode)Documents("kustomization.yaml").Single()["resources"]).Select(n => ((YamlScalarNode)n).Value).Order();
        Assert.Equal(files.Select(Path.GetFileName).Order(), listed);
    }

    [Fact]
    public void The_network_policy_admits_only_the_portal_to_the_pods_the_manager_labels()
    {
        var policy = Documents("workload-network.yaml").Single();
        Assert.Equal(PortalLabels.OwnerValue, S(policy, "spec", "podSelector", "matchLabels", PortalLabels.Owner));
        var from = (YamlMappingNode)((YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)policy["spec"])["ingress"])[0])["from"])[0])["podSelector"];
        var portal = Documents("portal.yaml").First(d => S(d, "kind") == "Deployment");
        Assert.Equal(S(portal, "spec", "template", "metadata", "labels", "app.kubernetes.io/name"), S(from, "matchLabels", "app.kubernetes.io/name"));
    }

    [Fact]
    public void The_portal_config_in_the_config_map_is_read_as_portal_yaml_and_matches_the_manifests()
    {
        var configMap = Documents("portal.yaml").First(d => S(d, "kind") == "ConfigMap");
        var config = PortalConfigLoader.Parse(S(configMap, "data", "portal.yaml"), "deploy/kubernetes/portal.yaml");
        Assert.Equal(("kube", "/data"), (config.ContainerManager.Type, config.Store.DataDir));
        Assert.Equal(S(Documents("namespace.yaml").Single(), "metadata", "name"), config.Kube.Namespace);
        var claim = Documents("portal-data.yaml").Single();
        Assert.Equal(KubeManifests.DataClaim, S(claim, "metadata", "name"));
        Assert.Equal("ReadWriteMany", ((YamlScalarNode)((YamlSequenceNode)((YamlMappingNode)claim["spec"])["accessModes"]).Single()).Value);
    }

    [Fact]
    public async Task Protocol_double_the_role_grants_exactly_what_the_manager_uses()
    {
        await using var api = await KubeApiDouble.StartAsync();
        using var dir = new TempDir();
        using var client = KubernetesSetup.Connect(
            KubernetesSetup.Configuration(api.Kubeconfig(dir.Path, "mlops-portal"), null, new Dictionary<string, string?>(), dir.Path), TimeSpan.FromSeconds(5));
        await using (var manager = new KubernetesManager(client, new KubeManifests(new KubeConfig { Namespace = "mlops-portal" }, null, "/data"), new FixedPullCredential()))
        {
            // Every operation the portal has: a training, an IDE session with volumes, an autoscaled deployment.
            var training = await manager.StartAsync(new WorkloadSpec { Name = "train-1-a", Image = "i", Command = ["c"], Mounts = [new MountSpec("/data/work/1", "/portal/work")], Labels = WorkloadLabels.Of("tests", "training", 1, "a") }, CancellationToken.None);
            await manager.GetStatusAsync(training, CancellationToken.None);
            var name = training["Job/".Length..];
            api.Put("api/v1/namespaces/mlops-portal/pods", new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = $"{name}-p", ["labels"] = new JsonObject { [KubeManifests.WorkloadLabel] = name, [PortalLabels.Owner] = PortalLabels.OwnerValue } },
                ["status"] = new JsonObject { ["phase"] = "Succeeded" },
            });
            for (var i = 0; i < 100 && (await manager.GetStatusAsync(training, CancellationToken.None)).State != WorkloadState.Succeeded; i++) await Task.Delay(50);
            await foreach (var _ in manager.ReadLogsAsync(training, follow: false, CancellationToken.None)) { }
            await manager.StopAsync(training, CancellationToken.None);
            var ide = await manager.StartAsync(new WorkloadSpec
            {
                Name = "ide-1-lab", Kind = WorkloadKind.Service, Image = "i", Command = ["c"], Ports = [new PortSpec(8888)], Labels = WorkloadLabels.Of("tests", "ide", 1, "lab"),
                Mounts = [new MountSpec("portal-home-a", "/home/portal", Kind: MountKind.Volume)],
            }, CancellationToken.None);
            await manager.ListReplicasAsync(ide, CancellationToken.None);
            await manager.RemoveAsync(ide, CancellationToken.None);
            var deployment = await manager.StartAsync(new WorkloadSpec
            {
                Name = "deployment-1-api", Kind = WorkloadKind.Service, Image = "i", Command = ["c"], Ports = [new PortSpec(8080)], Labels = WorkloadLabels.Of("tests", "deployment", 1, "api"),
                Resources = new ResourceProfile { AutoScale = true },
            }, CancellationToken.None);
            await manager.GetStatusAsync(deployment, CancellationToken.None);
            await manager.ScaleAsync(deployment, 2, CancellationToken.None);
            await manager.UpdateAsync(deployment, new WorkloadSpec { Name = "deployment-1-api", Kind = WorkloadKind.Service, Image = "j", Command = ["c"], Ports = [new PortSpec(8080)] }, CancellationToken.None);
            await manager.ListOwnedAsync(CancellationToken.None);
            await manager.CheckAsync(CancellationToken.None);
            await manager.RemoveAsync(deployment, CancellationToken.None);
        }

        var used = api.Requests.Select(Permission).OfType<string>().ToHashSet();
        var role = Documents("portal-rbac.yaml").Single(d => S(d, "kind") == "Role");
        var granted = ((YamlSequenceNode)role["rules"]).Cast<YamlMappingNode>().SelectMany(rule =>
            from g in (YamlSequenceNode)rule["apiGroups"]
            from r in (YamlSequenceNode)rule["resources"]
            from v in (YamlSequenceNode)rule["verbs"]
            select $"{((YamlScalarNode)g).Value}|{((YamlScalarNode)r).Value}|{((YamlScalarNode)v).Value}").ToHashSet();
        Assert.Empty(used.Except(granted));
        Assert.Empty(granted.Except(used));
    }

    private sealed class FixedPullCredential : IPullCredentialSource
    {
        public Task<Portal.Core.Builds.RegistryAuth?> GetAsync(CancellationToken ct) =>
            Task.FromResult<Portal.Core.Builds.RegistryAuth?>(new("robot", "s3cret", "registry.example.com"));
    }

    /// <summary>"group|resource|verb" of an API request, as RBAC sees it; null for paths outside a namespace (/version).</summary>
    private static string? Permission(string request)
    {
        var (method, target) = (request.Split(' ', 2)[0], request.Split(' ', 2)[1]);
        var path = target.Split('?')[0].Split('/');
        var at = Array.IndexOf(path, "namespaces");
        if (at < 0) return null;
        var group = path[0] == "api" ? "" : path[1];
        var resource = path[at + 2] + (path.Length > at + 4 ? "/" + path[at + 4] : "");
        var named = path.Length > at + 3;
        var verb = method switch
        {
            "POST" => "create", "PATCH" => "patch", "DELETE" => "delete",
            _ => named ? "get" : target.Contains("watch=true", StringComparison.Ordinal) ? "watch" : "list",
        };
        return $"{group}|{resource}|{verb}";
    }
}
