using System.Text.Json.Nodes;
using Portal.Core.Configuration;
using Portal.Core.Containers;

namespace Portal.Orchestration.Swarm;

/// <summary>
/// Maps a <see cref="WorkloadSpec"/> to a Docker Engine service spec: tasks become one replica that never restarts
/// (restart condition none), services become replicated services; resource profiles become reservations and
/// limits; work without published ports joins the host network so it reaches the portal's API on loopback.
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
    public static bool RunsOnce(JsonNode service) =>
        service["Spec"]?["Mode"]?["ReplicatedJob"] is not null
        || service["Spec"]?["TaskTemplate"]?["RestartPolicy"]?["Condition"]?.GetValue<string>() == "none";

    public static JsonObject Build(string serviceName, WorkloadSpec spec, string? hostNetworkId)
    {
        var labels = Labels(spec.Labels);
        var container = new JsonObject
        {
            ["Image"] = spec.Image,
            ["Command"] = new JsonArray(spec.Command.Select(c => (JsonNode)c!).ToArray()),
            ["Env"] = new JsonArray(spec.Env.Select(e => (JsonNode)$"{e.Key}={e.Value}"!).ToArray()),
            // Task containers get the record labels for `docker ps`, but not the owner label: the portal owns the service.
            ["Labels"] = new JsonObject(spec.Labels.Where(l => l.Key != PortalLabels.Owner).Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))),
            ["Mounts"] = new JsonArray(spec.Mounts.Select(Mount).ToArray()),
            // An init process forwards the stop signal to Python and reaps the kernel it starts.
            ["Init"] = true,
        };
        if (spec.WorkingDir is not null) container["Dir"] = spec.WorkingDir;
        if (spec.HealthCheck is { } health) container["HealthCheck"] = HealthCheck(health);

        var template = new JsonObject
        {
            ["ContainerSpec"] = container,
            ["RestartPolicy"] = new JsonObject { ["Condition"] = spec.Kind == WorkloadKind.Task ? "none" : "on-failure" },
            ["Resources"] = Resources(spec.Resources),
        };
        if (spec.Ports.Count == 0 && hostNetworkId is not null)
            template["Networks"] = new JsonArray(new JsonObject { ["Target"] = hostNetworkId });

        var service = new JsonObject
        {
            ["Name"] = serviceName,
            ["Labels"] = labels,
            ["TaskTemplate"] = template,
            ["Mode"] = new JsonObject { ["Replicated"] = new JsonObject { ["Replicas"] = spec.Kind == WorkloadKind.Task ? 1 : spec.Replicas } },
        };
        if (spec.Kind == WorkloadKind.Service)
            // Rolling updates: one replica at a time, the new one healthy before the old one stops; back on failure.
            service["UpdateConfig"] = new JsonObject { ["Parallelism"] = 1, ["Order"] = "start-first", ["FailureAction"] = "rollback", ["Monitor"] = 5_000_000_000L };
        if (spec.Ports.Count > 0)
            service["EndpointSpec"] = new JsonObject
            {
                ["Ports"] = new JsonArray(spec.Ports.Select(p =>
                {
                    // Host mode: each replica gets its own port on its node and the portal's router balances across
                    // them (the ingress routing mesh needs IPVS, which not every host has).
                    var port = new JsonObject { ["Protocol"] = "tcp", ["TargetPort"] = p.ContainerPort, ["PublishMode"] = "host" };
                    if (p.PublishedPort is { } published) port["PublishedPort"] = published;
                    return (JsonNode)port;
                }).ToArray()),
            };
        return service;
    }

    /// <summary>Cores become nano-CPUs and megabytes bytes, exactly; a profile without a value leaves it unset.</summary>
    public static JsonObject Resources(ResourceProfile? profile)
    {
        var resources = new JsonObject();
        if (profile is null) return resources;
        if (Amounts(profile.Limits) is { } limits) resources["Limits"] = limits;
        if (Amounts(profile.Requests) is { } requests) resources["Reservations"] = requests;
        return resources;
    }

    private static JsonObject? Amounts(ResourceAmounts? amounts)
    {
        if (amounts is null || amounts.Cpu is null && amounts.Memory is null) return null;
        var o = new JsonObject();
        if (amounts.Cpu is { } cpu) o["NanoCPUs"] = Docker.EnginePreflight.NanoCpus(cpu);
        if (amounts.Memory is { } memory) o["MemoryBytes"] = Docker.EnginePreflight.Bytes(memory);
        return o;
    }

    /// <summary>Docker's health check: durations in nanoseconds, the command run directly (CMD).</summary>
    public static JsonObject HealthCheck(HealthCheckSpec h) => new()
    {
        ["Test"] = new JsonArray([(JsonNode)"CMD", .. h.Command.Select(c => (JsonNode)c!)]),
        ["Interval"] = (long)h.Interval.TotalMilliseconds * 1_000_000,
        ["Timeout"] = (long)h.Timeout.TotalMilliseconds * 1_000_000,
        ["StartPeriod"] = (long)h.StartPeriod.TotalMilliseconds * 1_000_000,
        ["Retries"] = h.Retries,
    };

    public static JsonNode Mount(MountSpec m)
    {
        var mount = new JsonObject { ["Type"] = m.Kind == MountKind.Volume ? "volume" : "bind", ["Source"] = m.Source, ["Target"] = m.Target, ["ReadOnly"] = m.ReadOnly };
        if (m.Kind == MountKind.Volume && m.VolumeDriver is { Length: > 0 } driver)
            mount["VolumeOptions"] = new JsonObject
            {
                ["DriverConfig"] = new JsonObject { ["Name"] = driver, ["Options"] = new JsonObject(m.VolumeOptions.Select(o => KeyValuePair.Create(o.Key, (JsonNode?)o.Value))) },
            };
        return mount;
    }

    private static JsonObject Labels(IReadOnlyDictionary<string, string> labels)
    {
        var o = new JsonObject { [PortalLabels.Owner] = PortalLabels.OwnerValue };
        foreach (var (k, v) in labels) o[k] = v;
        return o;
    }
}
