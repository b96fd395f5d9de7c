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

    /// <summary>What every manager's user code must show: uid 1000, no capability, none to gain; no-new-privileges when asked.</summary>
    public static void AssertUnprivileged(string status, bool noNewPrivileges = true)
    {
        Assert.Contains("CapEff:\t0000000000000000", status);
        Assert.Matches(@"Uid:\t1000\t1000\t1000", status);
        if (noNewPrivileges) Assert.Contains("NoNewPrivs:\t1", status);
    }
}
