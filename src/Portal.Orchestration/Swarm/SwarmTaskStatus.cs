using System.Text.Json.Nodes;
using Portal.Core.Containers;

namespace Portal.Orchestration.Swarm;

/// <summary>
/// Reads a workload's state off its swarm tasks. A task that runs once is the state of its newest swarm task; a replicated service is
/// running while any replica runs. The task's own error ("No such image", "insufficient resources") becomes the message.
/// </summary>
public static class SwarmTaskStatus
{
    private static readonly HashSet<string> Waiting = ["new", "allocated", "pending", "assigned", "accepted", "preparing", "ready", "starting"];

    public static WorkloadStatus ForTask(JsonArray tasks)
    {
        var task = tasks.OfType<JsonObject>().OrderByDescending(t => t["CreatedAt"]?.GetValue<string>(), StringComparer.Ordinal).FirstOrDefault();
        if (task is null) return new WorkloadStatus(WorkloadState.Pending, Message: "Waiting for the swarm to schedule the task.");
        var state = task["Status"]?["State"]?.GetValue<string>() ?? "new";
        var error = task["Status"]?["Err"]?.GetValue<string>();
        var exit = task["Status"]?["ContainerStatus"]?["ExitCode"]?.GetValue<int>();
        return state switch
        {
            "running" => new WorkloadStatus(WorkloadState.Running, RunningReplicas: 1),
            "complete" => new WorkloadStatus(WorkloadState.Succeeded, exit ?? 0),
            "failed" => new WorkloadStatus(WorkloadState.Failed, exit, Explain(error, exit)),
            "rejected" => new WorkloadStatus(WorkloadState.Failed, exit, Explain(error, exit)),
            "shutdown" or "remove" or "orphaned" => new WorkloadStatus(WorkloadState.Stopped, exit, "The swarm shut the task down."),
            _ when Waiting.Contains(state) => new WorkloadStatus(WorkloadState.Pending, Message: Pending(state, error)),
            _ => new WorkloadStatus(WorkloadState.Pending, Message: $"Swarm task state '{state}'."),
        };
    }

    public static WorkloadStatus ForService(JsonArray tasks, int desired)
    {
        var current = tasks.OfType<JsonObject>().Where(t => t["DesiredState"]?.GetValue<string>() == "running").ToList();
        var running = current.Count(t => t["Status"]?["State"]?.GetValue<string>() == "running");
        if (running > 0) return new WorkloadStatus(WorkloadState.Running, RunningReplicas: running, DesiredReplicas: desired);
        if (desired == 0) return new WorkloadStatus(WorkloadState.Stopped, Message: "Scaled to zero replicas.", DesiredReplicas: 0);
        var error = tasks.OfType<JsonObject>().Select(t => t["Status"]?["Err"]?.GetValue<string>()).FirstOrDefault(e => !string.IsNullOrEmpty(e));
        return new WorkloadStatus(WorkloadState.Pending, Message: error is null ? "Starting replicas." : Explain(error, null), DesiredReplicas: desired);
    }

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
        _ when error.StartsWith("task: non-zero exit", StringComparison.Ordinal) && exit is { } code => $"The container exited with code {code}.",
        _ => error,
    };
}
