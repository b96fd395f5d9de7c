using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
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
    public IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(WorkloadSpec spec, string name, bool withRegistrySecret = false)
    {
        var objects = new List<IKubernetesObject<V1ObjectMeta>>();
        var labels = Labels(spec, name);
        var claims = new List<V1PersistentVolumeClaim>();
        var pod = PodSpec(spec, claims, withRegistrySecret);
        objects.AddRange(claims);
        var template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels) }, Spec = pod };
        if (spec.Kind == WorkloadKind.Task)
        {
            pod.RestartPolicy = "Never";
            objects.Add(new V1Job
            {
                ApiVersion = "batch/v1", Kind = "Job", Metadata = Metadata(name, spec, labels),
                Spec = new V1JobSpec { BackoffLimit = 0, TtlSecondsAfterFinished = JobTtlSeconds, Template = template },
            });
            return objects;
        }
        if (spec.Labels.GetValueOrDefault(PortalLabels.Kind) == "ide")
        {
            pod.RestartPolicy = "Always";
            objects.Add(new V1Pod { ApiVersion = "v1", Kind = "Pod", Metadata = Metadata(name, spec, labels), Spec = pod });
        }
        else
        {
            objects.Add(new V1Deployment
            {
                ApiVersion = "apps/v1", Kind = "Deployment", Metadata = Metadata(name, spec, labels),
                Spec = new V1DeploymentSpec
                {
                    Replicas = spec.Replicas,
                    Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [WorkloadLabel] = name } },
                    // One replica at a time, the new one ready before the old one stops (as on Swarm).
                    Strategy = new V1DeploymentStrategy
                    {
                        Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateDeployment { MaxUnavailable = 0, MaxSurge = 1 },
                    },
                    Template = template,
                },
            });
            if (spec.Resources is { AutoScale: true } profile)
                objects.Add(new V2HorizontalPodAutoscaler
                {
                    ApiVersion = "autoscaling/v2", Kind = "HorizontalPodAutoscaler", Metadata = Metadata(name, spec, labels),
                    Spec = new V2HorizontalPodAutoscalerSpec
                    {
                        ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = name },
                        MinReplicas = profile.MinReplicas ?? 1,
                        MaxReplicas = profile.MaxReplicas ?? 10,
                        Metrics =
                        [
                            new V2MetricSpec
                            {
                                Type = "Resource",
                                Resource = new V2ResourceMetricSource
                                {
                                    Name = "cpu",
                                    Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = profile.TargetCpuUtilizationPercentage ?? 50 },
                                },
                            },
                        ],
                    },
                });
        }
        if (spec.Ports.Count > 0) objects.Add(Service(spec, name, labels));
        return objects;
    }

    /// <summary>A docker-registry Secret holding one login, as <c>kubectl create secret docker-registry</c> makes it.</summary>
    public V1Secret PullSecret(Portal.Core.Builds.RegistryAuth auth)
    {
        var server = string.IsNullOrWhiteSpace(auth.Server) ? "https://index.docker.io/v1/" : auth.Server;
        var config = new JsonObject
        {
            ["auths"] = new JsonObject
            {
                [server] = new JsonObject
                {
                    ["username"] = auth.Username, ["password"] = auth.Password,
                    ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{auth.Username}:{auth.Password}")),
                },
            },
        };
        return new V1Secret
        {
            ApiVersion = "v1", Kind = "Secret",
            Metadata = new V1ObjectMeta
            {
                Name = RegistrySecret, NamespaceProperty = Namespace,
                Labels = new Dictionary<string, string> { [PortalLabels.Owner] = PortalLabels.OwnerValue },
            },
            Type = "kubernetes.io/dockerconfigjson",
            Data = new Dictionary<string, byte[]> { [".dockerconfigjson"] = Encoding.UTF8.GetBytes(config.ToJsonString()) },
        };
    }

    /// <summary>Memory in MB as Kubernetes writes it.</summary>
    public static string Memory(int megabytes) => string.Create(CultureInfo.InvariantCulture, $"{megabytes}Mi");

    /// <summary>Cores as whole millicores (the profile allows at most three decimals).</summary>
    public static string Cpu(double cores) =>
        string.Create(CultureInfo.InvariantCulture, $"{(long)Math.Round(cores * 1000, MidpointRounding.AwayFromZero)}m");

    private V1PodSpec PodSpec(WorkloadSpec spec, List<V1PersistentVolumeClaim> claims, bool withRegistrySecret)
    {
        var (uid, gid) = Containers.ContainerUser.Ids(spec.User ?? Containers.ContainerUser.Default);
        var volumes = new List<V1Volume>();
        var mounts = new List<V1VolumeMount>();
        for (var i = 0; i < spec.Mounts.Count; i++)
        {
            var m = spec.Mounts[i];
            var mount = new V1VolumeMount { Name = string.Create(CultureInfo.InvariantCulture, $"v{i}"), MountPath = m.Target, ReadOnlyProperty = m.ReadOnly };
            volumes.Add(Volume(m, mount, spec, claims));
            mounts.Add(mount);
        }
        var container = new V1Container
        {
            Name = Container,
            Image = spec.Image,
            Command = [.. spec.Command],
            Env = [.. spec.Env.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new V1EnvVar { Name = e.Key, Value = e.Value })],
            VolumeMounts = mounts,
            WorkingDir = spec.WorkingDir,
            Ports = spec.Ports.Count == 0 ? null : [.. spec.Ports.Select(p => new V1ContainerPort { ContainerPort = p.ContainerPort, Protocol = "TCP" })],
            Resources = Resources(spec.Resources),
            // User code needs no capability, may not gain privileges and is never root; the runtime's default seccomp filter applies.
            SecurityContext = new V1SecurityContext
            {
                RunAsNonRoot = true,
                RunAsUser = uid,
                RunAsGroup = gid,
                AllowPrivilegeEscalation = false,
                Capabilities = new V1Capabilities { Drop = ["ALL"] },
                SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
            },
        };
        if (spec.HealthCheck is { } h)
        {
            V1Probe Probe(TimeSpan delay) => new()
            {
                Exec = new V1ExecAction { Command = [.. h.Command] },
                InitialDelaySeconds = (int)delay.TotalSeconds,
                PeriodSeconds = Math.Max(1, (int)h.Interval.TotalSeconds),
                TimeoutSeconds = Math.Max(1, (int)h.Timeout.TotalSeconds),
                FailureThreshold = Math.Max(1, h.Retries),
            };
            container.ReadinessProbe = Probe(TimeSpan.Zero);
            container.LivenessProbe = Probe(h.StartPeriod);
        }
        var pullSecrets = new[] { withRegistrySecret ? RegistrySecret : null, string.IsNullOrWhiteSpace(registrySecret) ? null : registrySecret }
            .OfType<string>().ToList();
        return new V1PodSpec
        {
            // The namespace's service-account token would let user code call the Kubernetes API as the pod.
            AutomountServiceAccountToken = false,
            // Claims (IDE homes, the shared folder) are made writable for the user's group.
            SecurityContext = new V1PodSecurityContext { FsGroup = gid },
            Containers = [container],
            Volumes = volumes,
            ImagePullSecrets = pullSecrets.Count == 0 ? null : [.. pullSecrets.Select(s => new V1LocalObjectReference { Name = s })],
        };
    }

    private V1Volume Volume(MountSpec m, V1VolumeMount mount, WorkloadSpec spec, List<V1PersistentVolumeClaim> claims)
    {
        var volume = mount.Name;
        if (m.Kind == MountKind.Volume)
        {
            var claim = ClaimName(m.Source);
            if (Nfs(volume, $"volumes/{claim}", readOnly: null) is { } shared) return shared;
            claims.Add(new V1PersistentVolumeClaim
            {
                ApiVersion = "v1", Kind = "PersistentVolumeClaim",
                Metadata = Metadata(claim, spec, new Dictionary<string, string> { [PortalLabels.Owner] = PortalLabels.OwnerValue }, keepAnnotations: false),
                Spec = new V1PersistentVolumeClaimSpec
                {
                    AccessModes = [kube.VolumeAccessMode],
                    StorageClassName = kube.StorageClass,
                    Resources = new V1VolumeResourceRequirements
                    {
                        Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(kube.VolumeSize) },
                    },
                },
            });
            return new V1Volume { Name = volume, PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = claim } };
        }
        var full = Path.GetFullPath(m.Source);
        var data = Path.GetFullPath(dataDir).TrimEnd('/');
        if (full == data || full.StartsWith(data + "/", StringComparison.Ordinal))
        {
            var relative = full.Length == data.Length ? "" : full[(data.Length + 1)..];
            if (Nfs(volume, relative, m.ReadOnly) is { } shared) return shared;
            if (relative.Length > 0) mount.SubPath = relative;
            return new V1Volume
            {
                Name = volume, PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = DataClaim, ReadOnlyProperty = m.ReadOnly },
            };
        }
        // Outside the data directory (a project's home, a user's extra mount): the node's own path, as on a one-node cluster.
        return new V1Volume { Name = volume, HostPath = new V1HostPathVolumeSource { Path = full } };
    }

    /// <summary>A volume of the export kube.nfs names, at <paramref name="relative"/> below its path; null without NFS.</summary>
    private V1Volume? Nfs(string volume, string relative, bool? readOnly) =>
        kube.Nfs is not { Server: { Length: > 0 } server, Path: { Length: > 0 } root }
            ? null
            : new V1Volume
            {
                Name = volume,
                Nfs = new V1NFSVolumeSource { Server = server, Path = $"{root.TrimEnd('/')}/{relative}".TrimEnd('/'), ReadOnlyProperty = readOnly },
            };

    private static V1ResourceRequirements? Resources(ResourceProfile? profile)
    {
        if (profile is null) return null;
        static Dictionary<string, ResourceQuantity>? Amounts(ResourceAmounts? a, bool gpu)
        {
            var o = new Dictionary<string, ResourceQuantity>();
            if (a?.Cpu is { } cpu) o["cpu"] = new ResourceQuantity(Cpu(cpu));
            if (a?.Memory is { } mem) o["memory"] = new ResourceQuantity(Memory(mem));
            if (gpu) o["nvidia.com/gpu"] = new ResourceQuantity("1");
            return o.Count == 0 ? null : o;
        }
        // Extended resources such as GPUs are asked for in limits; Kubernetes copies them to requests.
        var resources = new V1ResourceRequirements { Requests = Amounts(profile.Requests, false), Limits = Amounts(profile.Limits, profile.EnableGpu) };
        return resources.Requests is null && resources.Limits is null ? null : resources;
    }

    private V1Service Service(WorkloadSpec spec, string name, Dictionary<string, string> labels)
    {
        var type = spec.Resources?.ServiceType ?? "ClusterIP";
        return new V1Service
        {
            ApiVersion = "v1", Kind = "Service", Metadata = Metadata(name, spec, labels),
            Spec = new V1ServiceSpec
            {
                Type = type,
                Selector = new Dictionary<string, string> { [WorkloadLabel] = name },
                Ports = [.. spec.Ports.Select((p, i) => new V1ServicePort
                {
                    Name = string.Create(CultureInfo.InvariantCulture, $"p{i}"), Port = p.ContainerPort, TargetPort = p.ContainerPort, Protocol = "TCP",
                    NodePort = type == "NodePort" && p.PublishedPort is >= 30000 and <= 32767 ? p.PublishedPort : null,
                })],
            },
        };
    }

    private V1ObjectMeta Metadata(string name, WorkloadSpec spec, Dictionary<string, string> labels, bool keepAnnotations = true) => new()
    {
        Name = name,
        NamespaceProperty = Namespace,
        Labels = new Dictionary<string, string>(labels),
        // Label values allow only [A-Za-z0-9-_.] up to 63 characters; the exact values ride along as annotations.
        Annotations = keepAnnotations
            ? spec.Labels.Append(new(PortalLabels.Owner, PortalLabels.OwnerValue)).DistinctBy(l => l.Key).ToDictionary(l => l.Key, l => l.Value)
            : null,
    };

    private static Dictionary<string, string> Labels(WorkloadSpec spec, string name)
    {
        var labels = new Dictionary<string, string> { [PortalLabels.Owner] = PortalLabels.OwnerValue, [WorkloadLabel] = name };
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
