using Portal.Core.Configuration;

namespace Portal.Core.Containers;

/// <summary>What to run. The same spec runs on every manager; each maps it to its engine.</summary>
public sealed record WorkloadSpec
{
    /// <summary>A name following the name rules; managers prefix it (e.g. <c>portal-train-…</c>).</summary>
    public required string Name { get; init; }
    public WorkloadKind Kind { get; init; } = WorkloadKind.Task;
    /// <summary>Image reference; the local manager ignores it and runs on the host.</summary>
    public required string Image { get; init; }
    /// <summary>What runs; empty runs the image's own entrypoint (a package's server).</summary>
    public required IReadOnlyList<string> Command { get; init; }
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<MountSpec> Mounts { get; init; } = [];
    public IReadOnlyList<PortSpec> Ports { get; init; } = [];
    public string? WorkingDir { get; init; }
    public int Replicas { get; init; } = 1;
    public ResourceProfile? Resources { get; init; }
    /// <summary>How the engine checks a replica is ready; engines route to (and roll onto) a replica only once it passes.</summary>
    public HealthCheckSpec? HealthCheck { get; init; }
    /// <summary>Labels the portal uses to find its workloads again; <see cref="PortalLabels"/> adds the owner label.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>
    /// The work needs nothing from the portal's host (no bind mount, not the portal's toolkit folder): it fetches what it
    /// needs through the portal, so a swarm may place it on any node. Other work stays on the portal's node.
    /// </summary>
    public bool AnyNode { get; init; }
    /// <summary>uid[:gid] the code runs as; set by the container managers from container_manager.user (never root).</summary>
    public string? User { get; init; }
}

public enum WorkloadKind { Task, Service }

/// <summary>A host path (bind) or a named volume, mounted at <see cref="Target"/>.</summary>
public sealed record MountSpec(string Source, string Target, bool ReadOnly = false, MountKind Kind = MountKind.Bind)
{
    /// <summary>For named volumes: the driver and its options (e.g. <c>local</c> with NFS options), when not the engine's default.</summary>
    public string? VolumeDriver { get; init; }
    public IReadOnlyDictionary<string, string> VolumeOptions { get; init; } = new Dictionary<string, string>();
}

public enum MountKind { Bind, Volume }

public sealed record PortSpec(int ContainerPort, int? PublishedPort = null);

/// <summary>A command run inside the container: exit 0 means healthy.</summary>
public sealed record HealthCheckSpec(IReadOnlyList<string> Command, TimeSpan Interval, TimeSpan Timeout, int Retries, TimeSpan StartPeriod)
{
    /// <summary>
    /// A GET on a path of the workload's own server, run with the image's Python (every portal image has it; curl
    /// is not guaranteed). The port comes from PORTAL_PORT, as the portal gives it to services.
    /// </summary>
    public static HealthCheckSpec HttpGet(string path, int defaultPort, TimeSpan interval, TimeSpan timeout, int retries, TimeSpan startPeriod) => new(
        ["python3", "-c", $"import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s{path}' % os.environ.get('PORTAL_PORT', '{defaultPort}'), timeout={Math.Max(1, (int)timeout.TotalSeconds)})"],
        interval, timeout, retries, startPeriod);
}
