using System.Collections.Concurrent;
using Portal.Core.Containers;

namespace Portal.Orchestration.Containers;

/// <summary>
/// The workloads this portal stopped on purpose. Engines that stop by deleting (a Swarm job, a Kubernetes Job) leave
/// nothing to ask afterwards, so without this record a stop would read as a workload that vanished or failed.
/// </summary>
internal sealed class StopRequests
{
    public static readonly WorkloadStatus Status = new(WorkloadState.Stopped, Message: "Stopped on request.");

    private readonly ConcurrentDictionary<string, byte> _ids = new();

    public bool Contains(string id) => _ids.ContainsKey(id);

    /// <summary>Records the stop before acting, so a status read racing the deletion already says "stopped".</summary>
    public async Task StopAsync(string id, Func<Task> stop)
    {
        _ids[id] = 0;
        await stop();
    }

    /// <summary>Forgets the workload only once the engine has let go of it.</summary>
    public async Task RemoveAsync(string id, Func<Task> remove)
    {
        await remove();
        _ids.TryRemove(id, out _);
    }
}
