namespace Portal.Core.Containers;

public enum WorkloadState { Pending, Running, Succeeded, Failed, Stopped, Missing }

/// <summary>Where a workload is now. <see cref="Message"/> says why, in words a user understands.</summary>
public sealed record WorkloadStatus(WorkloadState State, int? ExitCode = null, string? Message = null, int RunningReplicas = 0, int DesiredReplicas = 1)
{
    public bool IsFinal => State is WorkloadState.Succeeded or WorkloadState.Failed or WorkloadState.Stopped or WorkloadState.Missing;
}

public sealed record WorkloadInfo(string Id, string Name, IReadOnlyDictionary<string, string> Labels, WorkloadStatus Status);

public enum LogSource { Stdout, Stderr }

/// <summary>One line of a workload's output.</summary>
public sealed record LogLine(DateTime Timestamp, LogSource Stream, string Text);

/// <summary>Whether a manager can run work, and if not, what is missing and how to fix it.</summary>
public sealed record ManagerHealth(bool Ready, string Summary, IReadOnlyList<string> Problems)
{
    public static ManagerHealth Ok(string summary) => new(true, summary, []);
}

/// <summary>One replica of a service: its engine id, state, and the address it answers on once running.</summary>
public sealed record Replica(string Id, WorkloadState State, string? Endpoint, string? Message = null);
