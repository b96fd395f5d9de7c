using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Portal.Core.Configuration;
using Portal.Core.Containers;

namespace Portal.Orchestration.Kubernetes;

/// <summary>
/// Turns a <see cref="WorkloadSpec"/> into Kubernetes objects, the same spec every manager gets:
/// a training (a Task) becomes a Job (backoffLimit 0, cleaned up after an hour); an IDE session a Pod and a Service;
/// a deployment a Deployment and a Service, with a HorizontalPodAutoscaler when its profile says auto_scale.
/// Resource profiles become requests and limits (MB → Mi, cores → millicores), enable_gpu one nvidia.com/gpu,
/// health checks readiness and liveness probes. Host paths under the portal's data directory reach the pods through
/// NFS (kube.nfs) or the portal's data PVC; named volumes become PVCs of kube.storage_class.
/// </summary>
public sealed partial class KubeManifests(KubeConfig kube, string? registrySecret, string dataDir)
{
    public const string Container = "main";
    public const string DataClaim = "portal-data";
    public const string WorkloadLabel = "io.mlops-portal.workload";
    public const int JobTtlSeconds = 3600;
    /// <summary>The pull secret the portal makes from kube.registry_credential.</summary>
    public const string RegistrySecret = "portal-registry";

    public string Namespace => kube.Namespace;

    /// <summary>A DNS-1123 name of at most 63 characters: <c>portal-{name}-{random}</c>.</summary>
    public static string NameFor(WorkloadSpec spec)
    {
        var body = InvalidName().Replace(spec.Name.ToLowerInvariant(), "-").Trim('-');
        if (body.Length > 48) body = body[..48].TrimEnd('-');
        return $"portal-{body}-{Guid.NewGuid().ToString("N")[..6]}";
    }

    /// <summary>The objects to create, in order (claims first, the workload, then its Service and autoscaler).</summary>
    public IReadOnlyList<JsonObject> Build(WorkloadSpec spec, string name, bool withRegistrySecret = false)
    {
        var objects = new List<JsonObject>();
        var labels = Labels(spec, name);
        var pod = PodSpec(spec, name, objects, withRegistrySecret);
        var kind = spec.Labels.GetValueOrDefault(PortalLabels.Kind);
        if (spec.Kind == WorkloadKind.Task)
        {
            pod["restartPolicy"] = "Never";
            objects.Add(Object("batch/v1", "Job", name, spec, labels, new JsonObject
            {
                ["backoffLimit"] = 0,
                ["ttlSecondsAfterFinished"] = JobTtlSeconds,
                ["template"] = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = labels.DeepClone() }, ["spec"] = pod },
            }));
            return objects;
        }
        if (kind == "ide")
        {
            pod["restartPolicy"] = "Always";
            objects.Add(Object("v1", "Pod", name, spec, labels, pod));
        }
        else
        {
            objects.Add(Object("apps/v1", "Deployment", name, spec, labels, new JsonObject
            {
                ["replicas"] = spec.Replicas,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { [WorkloadLabel] = name } },
                // One replica at a time, the new one ready before the old one stops (as on Swarm).
                ["strategy"] = new JsonObject { ["type"] = "RollingUpdate", ["rollingUpdate"] = new JsonObject { ["maxUnavailable"] = 0, ["maxSurge"] = 1 } },
                ["template"] = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = labels.DeepClone() }, ["spec"] = pod },
            }));
            if (spec.Resources is { AutoScale: true } profile)
                objects.Add(Object("autoscaling/v2", "HorizontalPodAutoscaler", name, spec, labels, new JsonObject
                {
                    ["scaleTargetRef"] = new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["name"] = name },
                    ["minReplicas"] = profile.MinReplicas ?? 1,
                    ["maxReplicas"] = profile.MaxReplicas ?? 10,
                    ["metrics"] = new JsonArray(new JsonObject
                    {
                        ["type"] = "Resource",
                        ["resource"] = new JsonObject
                        {
                            ["name"] = "cpu",
                            ["target"] = new JsonObject { ["type"] = "Utilization", ["averageUtilization"] = profile.TargetCpuUtilizationPercentage ?? 50 },
                        },
                    }),
                }));
        }
        if (spec.Ports.Count > 0) objects.Add(Service(spec, name, labels));
        return objects;
    }

    /// <summary>The API path of an object's collection (and of the object, with its name).</summary>
    public string PathOf(string kind, string? name = null)
    {
        var collection = kind switch
        {
            "Job" => $"apis/batch/v1/namespaces/{Namespace}/jobs",
            "Deployment" => $"apis/apps/v1/namespaces/{Namespace}/deployments",
            "HorizontalPodAutoscaler" => $"apis/autoscaling/v2/namespaces/{Namespace}/horizontalpodautoscalers",
            "Pod" => $"api/v1/namespaces/{Namespace}/pods",
            "Service" => $"api/v1/namespaces/{Namespace}/services",
            "PersistentVolumeClaim" => $"api/v1/namespaces/{Namespace}/persistentvolumeclaims",
            "Secret" => $"api/v1/namespaces/{Namespace}/secrets",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a kind the portal creates"),
        };
        return name is null ? collection : $"{collection}/{name}";
    }

    /// <summary>A docker-registry Secret holding one login, as <c>kubectl create secret docker-registry</c> makes it.</summary>
    public JsonObject PullSecret(Portal.Core.Builds.RegistryAuth auth)
    {
        var server = string.IsNullOrWhiteSpace(auth.Server) ? "https://index.docker.io/v1/" : auth.Server;
        var config = new JsonObject
        {
            ["auths"] = new JsonObject
            {
                [server] = new JsonObject
                {
                    ["username"] = auth.Username, ["password"] = auth.Password,
                    ["auth"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{auth.Username}:{auth.Password}")),
                },
            },
        };
        return new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = RegistrySecret, ["namespace"] = Namespace, ["labels"] = new JsonObject { [PortalLabels.Owner] = PortalLabels.OwnerValue } },
            ["type"] = "kubernetes.io/dockerconfigjson",
            ["data"] = new JsonObject { [".dockerconfigjson"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(config.ToJsonString())) },
        };
    }

    /// <summary>Memory in MB as Kubernetes writes it.</summary>
    public static string Memory(int megabytes) => $"{megabytes}Mi";

    /// <summary>Cores as whole millicores (the profile allows at most three decimals).</summary>
    public static string Cpu(double cores) => $"{(long)Math.Round(cores * 1000, MidpointRounding.AwayFromZero)}m";

    private JsonObject PodSpec(WorkloadSpec spec, string name, List<JsonObject> claims, bool withRegistrySecret)
    {
        var volumes = new JsonArray();
        var mounts = new JsonArray();
        for (var i = 0; i < spec.Mounts.Count; i++)
        {
            var m = spec.Mounts[i];
            var volume = $"v{i}";
            var mount = new JsonObject { ["name"] = volume, ["mountPath"] = m.Target, ["readOnly"] = m.ReadOnly };
            volumes.Add(Volume(m, volume, mount, spec, claims));
            mounts.Add(mount);
        }
        var container = new JsonObject
        {
            ["name"] = Container,
            ["image"] = spec.Image,
            ["command"] = new JsonArray([.. spec.Command.Select(c => (JsonNode)c)]),
            ["env"] = new JsonArray([.. spec.Env.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => (JsonNode)new JsonObject { ["name"] = e.Key, ["value"] = e.Value })]),
            ["volumeMounts"] = mounts,
        };
        if (spec.WorkingDir is { } wd) container["workingDir"] = wd;
        if (spec.Ports.Count > 0)
            container["ports"] = new JsonArray([.. spec.Ports.Select(p => (JsonNode)new JsonObject { ["containerPort"] = p.ContainerPort, ["protocol"] = "TCP" })]);
        if (Resources(spec.Resources) is { } resources) container["resources"] = resources;
        if (spec.HealthCheck is { } h)
        {
            JsonObject Probe(TimeSpan delay) => new()
            {
                ["exec"] = new JsonObject { ["command"] = new JsonArray([.. h.Command.Select(c => (JsonNode)c)]) },
                ["initialDelaySeconds"] = (int)delay.TotalSeconds,
                ["periodSeconds"] = Math.Max(1, (int)h.Interval.TotalSeconds),
                ["timeoutSeconds"] = Math.Max(1, (int)h.Timeout.TotalSeconds),
                ["failureThreshold"] = Math.Max(1, h.Retries),
            };
            container["readinessProbe"] = Probe(TimeSpan.Zero);
            container["livenessProbe"] = Probe(h.StartPeriod);
        }
        var pod = new JsonObject { ["containers"] = new JsonArray(container), ["volumes"] = volumes };
        var pullSecrets = new[] { withRegistrySecret ? RegistrySecret : null, string.IsNullOrWhiteSpace(registrySecret) ? null : registrySecret }.OfType<string>().ToList();
        if (pullSecrets.Count > 0) pod["imagePullSecrets"] = new JsonArray([.. pullSecrets.Select(s => (JsonNode)new JsonObject { ["name"] = s })]);
        return pod;
    }

    private JsonObject Volume(MountSpec m, string volume, JsonObject mount, WorkloadSpec spec, List<JsonObject> claims)
    {
        if (m.Kind == MountKind.Volume)
        {
            var claim = ClaimName(m.Source);
            if (Nfs(volume, $"volumes/{claim}", readOnly: null) is { } shared) return shared;
            claims.Add(Object("v1", "PersistentVolumeClaim", claim, spec, new JsonObject { [PortalLabels.Owner] = PortalLabels.OwnerValue }, new JsonObject
            {
                ["accessModes"] = new JsonArray(kube.VolumeAccessMode),
                ["storageClassName"] = kube.StorageClass,
                ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = kube.VolumeSize } },
            }, keepAnnotations: false));
            return new JsonObject { ["name"] = volume, ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = claim } };
        }
        var full = Path.GetFullPath(m.Source);
        var data = Path.GetFullPath(dataDir).TrimEnd('/');
        if (full == data || full.StartsWith(data + "/", StringComparison.Ordinal))
        {
            var relative = full.Length == data.Length ? "" : full[(data.Length + 1)..];
            if (Nfs(volume, relative, m.ReadOnly) is { } shared) return shared;
            if (relative.Length > 0) mount["subPath"] = relative;
            return new JsonObject { ["name"] = volume, ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = DataClaim, ["readOnly"] = m.ReadOnly } };
        }
        // Outside the data directory (a project's home, a user's extra mount): the node's own path, as on a one-node cluster.
        return new JsonObject { ["name"] = volume, ["hostPath"] = new JsonObject { ["path"] = full } };
    }

    /// <summary>A volume of the export kube.nfs names, at <paramref name="relative"/> below its path; null without NFS.</summary>
    private JsonObject? Nfs(string volume, string relative, bool? readOnly)
    {
        if (kube.Nfs is not { Server: { Length: > 0 } server, Path: { Length: > 0 } root }) return null;
        var nfs = new JsonObject { ["server"] = server, ["path"] = $"{root.TrimEnd('/')}/{relative}".TrimEnd('/') };
        if (readOnly is { } ro) nfs["readOnly"] = ro;
        return new JsonObject { ["name"] = volume, ["nfs"] = nfs };
    }

    private static JsonObject? Resources(ResourceProfile? profile)
    {
        if (profile is null) return null;
        JsonObject? Amounts(ResourceAmounts? a, bool gpu)
        {
            var o = new JsonObject();
            if (a?.Cpu is { } cpu) o["cpu"] = Cpu(cpu);
            if (a?.Memory is { } mem) o["memory"] = Memory(mem);
            if (gpu) o["nvidia.com/gpu"] = "1";
            return o.Count == 0 ? null : o;
        }
        var resources = new JsonObject();
        if (Amounts(profile.Requests, false) is { } requests) resources["requests"] = requests;
        // Extended resources such as GPUs are asked for in limits; Kubernetes copies them to requests.
        if (Amounts(profile.Limits, profile.EnableGpu) is { } limits) resources["limits"] = limits;
        return resources.Count == 0 ? null : resources;
    }

    private JsonObject Service(WorkloadSpec spec, string name, JsonObject labels)
    {
        var type = spec.Resources?.ServiceType ?? "ClusterIP";
        return Object("v1", "Service", name, spec, labels, new JsonObject
        {
            ["type"] = type,
            ["selector"] = new JsonObject { [WorkloadLabel] = name },
            ["ports"] = new JsonArray([.. spec.Ports.Select((p, i) =>
            {
                var port = new JsonObject { ["name"] = $"p{i}", ["port"] = p.ContainerPort, ["targetPort"] = p.ContainerPort, ["protocol"] = "TCP" };
                if (type == "NodePort" && p.PublishedPort is >= 30000 and <= 32767) port["nodePort"] = p.PublishedPort;
                return (JsonNode)port;
            })]),
        });
    }

    private JsonObject Object(string apiVersion, string kind, string name, WorkloadSpec spec, JsonObject labels, JsonObject? body, bool keepAnnotations = true)
    {
        var metadata = new JsonObject { ["name"] = name, ["namespace"] = Namespace, ["labels"] = labels.DeepClone() };
        // Label values allow only [A-Za-z0-9-_.] up to 63 characters; the exact values ride along as annotations.
        if (keepAnnotations)
            metadata["annotations"] = new JsonObject([.. spec.Labels.Append(new(PortalLabels.Owner, PortalLabels.OwnerValue)).DistinctBy(l => l.Key)
                .Select(l => new KeyValuePair<string, JsonNode?>(l.Key, l.Value))]);
        var o = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["metadata"] = metadata };
        if (body is not null) o["spec"] = body;
        return o;
    }

    private static JsonObject Labels(WorkloadSpec spec, string name)
    {
        var labels = new JsonObject { [PortalLabels.Owner] = PortalLabels.OwnerValue, [WorkloadLabel] = name };
        foreach (var (key, value) in spec.Labels)
            if (key != PortalLabels.Owner) labels[key] = LabelValue(value);
        return labels;
    }

    /// <summary>A value Kubernetes accepts as a label: invalid characters become '-', at most 63, alphanumeric at both ends.</summary>
    public static string LabelValue(string value)
    {
        var v = InvalidLabel().Replace(value, "-");
        if (v.Length > 63) v = v[..63];
        return v.Trim('-', '_', '.');
    }

    private static string ClaimName(string volume)
    {
        var name = "portal-vol-" + InvalidName().Replace(volume.ToLowerInvariant(), "-").Trim('-');
        return name.Length > 63 ? name[..63].TrimEnd('-') : name;
    }

    [GeneratedRegex("[^a-z0-9-]+")]
    private static partial Regex InvalidName();

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex InvalidLabel();
}
