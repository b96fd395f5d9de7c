namespace Portal.Core.Containers;

/// <summary>
/// What a container manager can do, so callers ask for an ability instead of comparing the manager's kind. The kind is
/// a name for records and people (local, docker, swarm, kube), never a branch.
/// </summary>
public sealed record ManagerCapabilities
{
    public required string Kind { get; init; }
    /// <summary>Work runs in containers of its own image: extra host folders can be mounted where the user says.</summary>
    public bool Containers { get; init; }
    /// <summary>Work shares the portal's host and loopback (host processes) rather than a network of its own.</summary>
    public bool SharesHostLoopback { get; init; }
    /// <summary>A service can run more than one replica.</summary>
    public bool Replicas { get; init; }
    /// <summary>A service's new spec replaces its replicas one at a time, the new one healthy first.</summary>
    public bool RollingUpdate { get; init; }
    /// <summary>The engine scales a service by its load (resource profile auto_scale).</summary>
    public bool AutoScale { get; init; }
    /// <summary>GPUs can be given to work (resource profile enable_gpu).</summary>
    public bool Gpu { get; init; }
    /// <summary>Named volumes outlive the work that used them (IDE homes).</summary>
    public bool NamedVolumes { get; init; }
}
