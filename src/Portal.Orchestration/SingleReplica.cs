using Portal.Core.Containers;

namespace Portal.Orchestration;

/// <summary>What managers that run one replica per service (local processes, plain containers) share for scale and update.</summary>
internal static class SingleReplica
{
    public static Task ScaleAsync(int replicas, string what) => replicas == 1
        ? Task.CompletedTask
        : throw new ContainerManagerException($"{what} run one replica per service; use container_manager.type: swarm to scale.");

    /// <summary>One replica cannot roll: the new one starts, then the old one goes (a short gap the router retries over).</summary>
    public static async Task<string> ReplaceAsync(IContainerManager manager, string id, WorkloadSpec spec, CancellationToken ct)
    {
        var next = await manager.StartAsync(spec, ct);
        await manager.RemoveAsync(id, ct);
        return next;
    }
}
