using Docker.DotNet.Models;
using Portal.Core.Configuration;
using Portal.Core.Containers;

namespace Portal.Orchestration.Swarm;

/// <summary>
/// Maps a <see cref="WorkloadSpec"/> to a Docker Engine service spec: tasks become one replica that never restarts
/// (restart condition none), services become replicated services; resource profiles become reservations and
/// limits; all work joins the portal's work network (never the host's), runs as its unprivileged user, with no
/// capability and no way to gain privileges.
/// </summary>
/// <remarks>
/// Tasks are not swarm jobs (ReplicatedJob): on the engines in use (20.10 and later until moby/moby#52652 was fixed),
/// a job's finished tasks keep the desired state "complete" for good, even after their service is removed. The
/// constraint enforcer counts their reservations as still held, so after a few trainings any node update rejects
/// running work with "assigned node no longer meets constraints", and a job removed while waiting holds its
/// reservation in the scheduler. A replica with restart condition none ends in desired state "shutdown" instead.
/// </remarks>
public static class SwarmServiceSpec
{
    /// <summary>
    /// Whether a service is a task that runs once: its state is its newest task's. Services made as jobs by earlier
    /// versions of the portal count too, so a portal upgraded mid-training re-attaches to them.
    /// </summary>
    public static bool RunsOnce(ServiceSpec? spec) =>
        spec?.Mode?.ReplicatedJob is not null || spec?.TaskTemplate?.RestartPolicy?.Condition == "none";

    /// <param name="portalNode">The portal's node, where work that mounts the portal's folders must run (none: anywhere).</param>
    public static ServiceSpec Build(string serviceName, WorkloadSpec spec, string? networkId, string? portalNode = null)
    {
        var container = new ContainerSpec
        {
            Image = spec.Image,
            Command = [.. spec.Command],
            Env = [.. spec.Env.Select(e => $"{e.Key}={e.Value}")],
            // Task containers get the record labels for `docker ps`, but not the owner label: the portal owns the service.
            Labels = spec.Labels.Where(l => l.Key != PortalLabels.Owner).ToDictionary(l => l.Key, l => l.Value),
            Mounts = [.. spec.Mounts.Select(Mount)],
            // An init process forwards the stop signal to Python and reaps the kernel it starts.
            Init = true,
            // User code needs no capability (none to open raw sockets, change owners or load modules), cannot gain any
            // through setuid programs (engines before API 1.46 ignore this field), and is not root.
            CapabilityDrop = ["ALL"],
            Privileges = new Privileges { NoNewPrivileges = true },
            User = spec.User,
            Dir = spec.WorkingDir,
            Healthcheck = spec.HealthCheck is { } health ? HealthCheck(health) : null,
        };
        var template = new TaskSpec
        {
            ContainerSpec = container,
            RestartPolicy = new SwarmRestartPolicy { Condition = spec.Kind == WorkloadKind.Task ? "none" : "on-failure" },
            Resources = Resources(spec.Resources),
            Networks = networkId is null ? null : [new NetworkAttachmentConfig { Target = networkId }],
            Placement = spec.AnyNode || portalNode is null ? null : new Placement { Constraints = [$"node.id=={portalNode}"] },
        };
        return new ServiceSpec
        {
            Name = serviceName,
            Labels = Labels(spec.Labels),
            TaskTemplate = template,
            Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = (ulong)(spec.Kind == WorkloadKind.Task ? 1 : spec.Replicas) } },
            // Rolling updates: one replica at a time, the new one healthy before the old one stops; back on failure.
            UpdateConfig = spec.Kind == WorkloadKind.Service
                ? new SwarmUpdateConfig { Parallelism = 1, Order = "start-first", FailureAction = "rollback", Monitor = TimeSpan.FromSeconds(5) }
                : null,
            EndpointSpec = spec.Ports.Count == 0 ? null : new EndpointSpec
            {
                // Host mode: each replica gets its own port on its node and the portal's router balances across
                // them (the ingress routing mesh needs IPVS, which not every host has).
                Ports = [.. spec.Ports.Select(p => new PortConfig
                {
                    Protocol = "tcp", TargetPort = (uint)p.ContainerPort, PublishMode = "host", PublishedPort = (uint?)p.PublishedPort,
                })],
            },
        };
    }

    /// <summary>Cores become nano-CPUs and megabytes bytes, exactly; a profile without a value leaves it unset.</summary>
    public static ResourceRequirements Resources(ResourceProfile? profile) => new()
    {
        Limits = Amounts(profile?.Limits) is { } limits ? new SwarmLimit { NanoCPUs = limits.NanoCpus, MemoryBytes = limits.Bytes } : null,
        Reservations = Amounts(profile?.Requests) is { } requests
            ? new SwarmResources { NanoCPUs = requests.NanoCpus, MemoryBytes = requests.Bytes }
            : null,
    };

    private static (long? NanoCpus, long? Bytes)? Amounts(ResourceAmounts? amounts) =>
        amounts is null || amounts.Cpu is null && amounts.Memory is null
            ? null
            : (amounts.Cpu is { } cpu ? Docker.EnginePreflight.NanoCpus(cpu) : null,
               amounts.Memory is { } memory ? Docker.EnginePreflight.Bytes(memory) : null);

    /// <summary>Docker's health check: the command run directly (CMD).</summary>
    public static global::Docker.DotNet.Models.HealthcheckConfig HealthCheck(HealthCheckSpec h) => new()
    {
        Test = ["CMD", .. h.Command],
        Interval = h.Interval,
        Timeout = h.Timeout,
        StartPeriod = h.StartPeriod,
        Retries = h.Retries,
    };

    public static Mount Mount(MountSpec m) => new()
    {
        Type = m.Kind == MountKind.Volume ? "volume" : "bind",
        Source = m.Source,
        Target = m.Target,
        ReadOnly = m.ReadOnly,
        VolumeOptions = m.Kind == MountKind.Volume && m.VolumeDriver is { Length: > 0 } driver
            ? new VolumeOptions { DriverConfig = new Driver { Name = driver, Options = new Dictionary<string, string>(m.VolumeOptions) } }
            : null,
    };

    private static Dictionary<string, string> Labels(IReadOnlyDictionary<string, string> labels)
    {
        var all = new Dictionary<string, string> { [PortalLabels.Owner] = PortalLabels.OwnerValue };
        foreach (var (k, v) in labels) all[k] = v;
        return all;
    }
}
