namespace Portal.Core.Entities;

/// <summary>Progress and state of a long-running piece of work (Noronha's "task doc").</summary>
public sealed record TaskInfo
{
    public TaskState State { get; init; } = TaskState.Waiting;
    /// <summary>Between 0 and 1.</summary>
    public double Progress { get; init; }
    public DateTime? StartTime { get; init; }
    public DateTime? UpdateTime { get; init; }
    /// <summary>Why the task is in its state, e.g. the error that failed it.</summary>
    public string? Message { get; init; }
}

public enum TaskState { Waiting, Running, Finished, Failed, Cancelled }
