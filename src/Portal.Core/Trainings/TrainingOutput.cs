using Microsoft.Extensions.Logging;
using Portal.Core.Containers;
using Portal.Core.Logs;

namespace Portal.Core.Trainings;

/// <summary>
/// Copies a workload's output into its live log while the work runs. A follow broken by an engine outage is started
/// again with <see cref="Resume"/>: the engine replays the output from the start, and lines already copied (by their
/// timestamps) are skipped, so the log neither loses nor repeats lines.
/// </summary>
internal sealed class TrainingOutput(IContainerManager manager, string workloadId, TaskLog log, ILogger logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _pump;
    private DateTime _copiedUpTo = DateTime.MinValue;

    /// <summary>Starts following unless a follow is already going.</summary>
    public void Resume()
    {
        if (_pump is { IsCompleted: false }) return;
        _pump = Task.Run(PumpAsync, CancellationToken.None);
    }

    /// <summary>Waits up to <paramref name="drain"/> for the output to end with the work, then stops reading.</summary>
    public async Task DrainAsync(TimeSpan drain, CancellationToken ct)
    {
        if (_pump is null) return;
        try { await _pump.WaitAsync(drain, ct); }
        catch (TimeoutException) { await _stop.CancelAsync(); }
    }

    private async Task PumpAsync()
    {
        var since = _copiedUpTo;
        try
        {
            await foreach (var line in manager.ReadLogsAsync(workloadId, follow: true, _stop.Token))
            {
                if (line.Timestamp <= since && since != DateTime.MinValue) continue;
                log.Append(line);
                if (line.Timestamp > _copiedUpTo) _copiedUpTo = line.Timestamp;
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
        catch (ContainerManagerException e) { logger.LogWarning("The log of {Workload} broke off: {Message}", workloadId, e.Message); }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_pump is not null) await _pump;
        _stop.Dispose();
    }
}
