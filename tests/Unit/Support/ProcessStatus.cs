using Portal.Core.Containers;

namespace Portal.Tests.Unit.Support;

/// <summary>What the kernel says about a workload's own process: its capabilities and privilege flags, read from inside.</summary>
public static class ProcessStatus
{
    public const string Script = "grep -E '^(CapEff|CapBnd|NoNewPrivs|Uid)' /proc/self/status";

    /// <summary>The lines the workload started by <paramref name="start"/> printed, once it has succeeded.</summary>
    public static async Task<string> ReadAsync(IContainerManager manager, string id, Func<string, Task<WorkloadStatus>> waitFinal)
    {
        Assert.Equal(WorkloadState.Succeeded, (await waitFinal(id)).State);
        var lines = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await foreach (var line in manager.ReadLogsAsync(id, follow: false, timeout.Token)) lines.Add(line.Text);
        return string.Join("\n", lines);
    }
}
