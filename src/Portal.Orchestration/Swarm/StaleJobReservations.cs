using System.Globalization;
using Docker.DotNet.Models;

namespace Portal.Orchestration.Swarm;

/// <summary>
/// Finds finished swarm job tasks that still count as reserving CPU or memory. Docker keeps a job's finished tasks
/// in desired state "complete" for good (moby/moby#52652), even after the job is removed, and the swarm's constraint
/// enforcer adds up their reservations whenever a node changes: once they exceed the node, it rejects running work
/// with "assigned node no longer meets constraints". Earlier portal versions ran trainings as jobs, so an upgraded
/// portal's swarm can carry them; the portal says so instead of leaving trainings to fail without a reason.
/// </summary>
public static class StaleJobReservations
{
    private static readonly HashSet<TaskState> Ended =
        [TaskState.Complete, TaskState.Failed, TaskState.Rejected, TaskState.Shutdown, TaskState.Orphaned, TaskState.Remove];

    /// <summary>A warning naming what is held and how to clear it; null when no finished task holds anything.</summary>
    public static string? Describe(IEnumerable<TaskResponse> tasks)
    {
        var held = tasks
            .Where(t => t.DesiredState == TaskState.Complete && t.Status?.State is { } state && Ended.Contains(state))
            .Select(t => t.Spec?.Resources?.Reservations)
            .Select(r => (Cpu: r?.NanoCPUs ?? 0, Memory: r?.MemoryBytes ?? 0))
            .Where(r => r.Cpu > 0 || r.Memory > 0)
            .ToList();
        if (held.Count == 0) return null;
        var cpus = (held.Sum(r => r.Cpu) / 1e9).ToString("0.##", CultureInfo.InvariantCulture);
        var megabytes = held.Sum(r => r.Memory) / (1024 * 1024);
        var counted = held.Count == 1 ? "1 finished swarm job task still counts" : $"{held.Count} finished swarm job tasks still count";
        return $"{counted} as reserving {cpus} CPUs and {megabytes} MB " +
            "(a Docker bug, moby/moby#52652; earlier portal versions ran trainings as jobs). When a node changes, the swarm may then reject " +
            "running trainings and replicas with \"assigned node no longer meets constraints\". Only re-creating the swarm clears them: " +
            "on a single node, remove the services, then 'docker swarm leave --force' and 'docker swarm init'.";
    }
}
