using Docker.DotNet.Models;
using Portal.Core.Containers;

namespace Portal.Orchestration.Swarm;

/// <summary>
/// Reads a workload's state off its swarm tasks. A task that runs once is the state of its newest swarm task; a replicated service is
/// running while any replica runs. The task's own error ("No such image", "insufficient resources") becomes the message.
/// </summary>
public static class SwarmTaskStatus
{
    public static WorkloadStatus ForTask(IEnumerable<TaskResponse> tasks)
    {
        var task = tasks.OrderByDescending(t => t.CreatedAt).FirstOrDefault();
        if (task is null) return new WorkloadStatus(WorkloadState.Pending, Message: "Waiting for the swarm to schedule the task.");
        var state = task.Status?.State ?? TaskState.New;
        var error = task.Status?.Err;
        var exit = task.Status?.ContainerStatus is { } container ? (int)container.ExitCode : (int?)null;
        return state switch
        {
            TaskState.Running => new WorkloadStatus(WorkloadState.Running, RunningReplicas: 1),
            TaskState.Complete => new WorkloadStatus(WorkloadState.Succeeded, exit ?? 0),
            TaskState.Failed or TaskState.Rejected => new WorkloadStatus(WorkloadState.Failed, exit, Explain(error, exit)),
            TaskState.Shutdown or TaskState.Remove or TaskState.Orphaned => new WorkloadStatus(WorkloadState.Stopped, exit, "The swarm shut the task down."),
            _ => new WorkloadStatus(WorkloadState.Pending, Message: Pending(Name(state), error)),
        };
    }

    public static WorkloadStatus ForService(IList<TaskResponse> tasks, int desired)
    {
        var running = tasks.Count(t => t.DesiredState == TaskState.Running && t.Status?.State == TaskState.Running);
        if (running > 0) return new WorkloadStatus(WorkloadState.Running, RunningReplicas: running, DesiredReplicas: desired);
        if (desired == 0) return new WorkloadStatus(WorkloadState.Stopped, Message: "Scaled to zero replicas.", DesiredReplicas: 0);
        var error = tasks.Select(t => t.Status?.Err).FirstOrDefault(e => !string.IsNullOrEmpty(e));
        return new WorkloadStatus(WorkloadState.Pending, Message: error is null ? "Starting replicas." : Explain(error, null), DesiredReplicas: desired);
    }

    /// <summary>The engine's own word for a state ("preparing"), as users see it in <c>docker service ps</c>.</summary>
    public static string Name(TaskState state) => state.ToString().ToLowerInvariant();

    private static string Pending(string state, string? error) => error switch
    {
        not null when error.Contains("insufficient resources", StringComparison.OrdinalIgnoreCase) =>
            $"No node has the CPU or memory the resource profile reserves ({error}); the task waits until there is room.",
        not null when error.Length > 0 => $"Waiting ({state}): {error}",
        _ => $"Waiting for the swarm ({state}).",
    };

    private static string Explain(string? error, int? exit) => error switch
    {
        null or "" => exit is { } code ? $"The container exited with code {code}." : "The task failed.",
        _ when error.Contains("No such image", StringComparison.OrdinalIgnoreCase) =>
            $"The image is not on this host ({error}). Build the project first, or check the build tag.",
        _ when error.Contains("invalid mount config", StringComparison.OrdinalIgnoreCase) || error.Contains("bind source path does not exist", StringComparison.OrdinalIgnoreCase) =>
            $"A folder the task mounts does not exist on the node ({error}).",
        // The engine stopped (or restarted) while the task ran: its container went with it, and a training is never restarted.
        _ when error.Contains("No such container", StringComparison.OrdinalIgnoreCase) =>
            $"The task's container is gone: the Docker engine stopped or restarted while it ran ({error}).",
        _ when error.StartsWith("task: non-zero exit", StringComparison.Ordinal) && exit is { } code => $"The container exited with code {code}.",
        _ => error,
    };
}
