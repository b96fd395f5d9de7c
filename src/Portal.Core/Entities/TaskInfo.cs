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
    /// <summary>
    /// Since when the engine running the task has not answered; null while it answers. The task keeps its last known
    /// state meanwhile; a FAILED task that still has it was given up for that reason.
    /// </summary>
    public DateTime? EngineUnreachableSince { get; init; }

    /// <summary>Given up because the engine could not be reached, not because the engine said the work failed.</summary>
    public bool GivenUp => State == TaskState.Failed && EngineUnreachableSince is not null;
}

public enum TaskState { Waiting, Running, Finished, Failed, Cancelled }
