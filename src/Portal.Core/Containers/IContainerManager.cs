namespace Portal.Core.Containers;

/// <summary>
/// Runs the portal's work somewhere: host processes, plain Docker containers, Docker Swarm or Kubernetes. Deliberately
/// small, like JupyterHub's Spawner: start from a spec, ask or watch its status, follow logs, stop, remove, and list what
/// the portal owns (found again by labels after a restart). Replicated services have <see cref="IServiceControl"/> too.
/// Implementations translate engine errors into <see cref="ContainerManagerException"/>, and every state means the same
/// on every manager (the contract tests hold each to it).
/// </summary>
public interface IContainerManager
{
    ManagerCapabilities Capabilities { get; }

    /// <summary>Whether the manager can run work now, and if not, what to do about it (shown in the UI).</summary>
    Task<ManagerHealth> CheckAsync(CancellationToken ct);

    /// <summary>Starts a one-off task or a replicated service; returns the id to address it by.</summary>
    Task<string> StartAsync(WorkloadSpec spec, CancellationToken ct);

    Task<WorkloadStatus> GetStatusAsync(string id, CancellationToken ct);

    /// <summary>
    /// The workload's status now and then at each change, ending with its final one: the one way a caller learns that
    /// work ended. Each manager watches its engine once per call (events where the engine has them, else one poll).
    /// </summary>
    IAsyncEnumerable<WorkloadStatus> WatchAsync(string id, CancellationToken ct);

    /// <summary>The output so far and, when <paramref name="follow"/>, what comes next until the workload ends.</summary>
    IAsyncEnumerable<LogLine> ReadLogsAsync(string id, bool follow, CancellationToken ct);

    /// <summary>Stops the workload; its status then says <see cref="WorkloadState.Stopped"/>.</summary>
    Task StopAsync(string id, CancellationToken ct);

    /// <summary>Removes what the workload left (containers, services, working files of the engine).</summary>
    Task RemoveAsync(string id, CancellationToken ct);

    /// <summary>Every workload carrying the portal's labels, e.g. to reconcile after a restart.</summary>
    Task<IReadOnlyList<WorkloadInfo>> ListOwnedAsync(CancellationToken ct);

    /// <summary>
    /// Whether work started now may land on a host other than the portal's (a swarm of several nodes). Such work fetches
    /// its files through the portal (<see cref="WorkloadSpec.AnyNode"/>); work that mounts the portal's folders is kept on
    /// the portal's node. Host processes, plain containers and today's Kubernetes mounts all run beside the portal's files.
    /// </summary>
    Task<bool> MayRunElsewhereAsync(CancellationToken ct) => Task.FromResult(false);
}

/// <summary>What replicated services (deployments, IDE sessions) need beyond the Spawner-like core.</summary>
public interface IServiceControl
{
    /// <summary>The replicas of a service and where each answers (<c>http://host:port</c> of its first port), for the router.</summary>
    Task<IReadOnlyList<Replica>> ListReplicasAsync(string id, CancellationToken ct);

    /// <summary>Changes how many replicas a service runs.</summary>
    Task ScaleAsync(string id, int replicas, CancellationToken ct);

    /// <summary>
    /// Replaces what a service runs (image, command, env, mounts) by a rolling update: one replica at a time, the new
    /// one started and healthy before the old one stops. Returns the id to address the service by from now on.
    /// </summary>
    Task<string> UpdateAsync(string id, WorkloadSpec spec, CancellationToken ct);
}
