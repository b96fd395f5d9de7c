using System.Runtime.CompilerServices;

namespace Portal.Core.Containers;

/// <summary>
/// How a manager implements <see cref="IContainerManager.WatchAsync"/>: asks for the status, yields it when it differs
/// from the last one, and waits for the engine's next sign of change (an event, or the poll interval) until the status is
/// final.
/// </summary>
public static class StatusChanges
{
    public static async IAsyncEnumerable<WorkloadStatus> WatchAsync(
        Func<CancellationToken, Task<WorkloadStatus>> status, Func<CancellationToken, Task> nextChange, [EnumeratorCancellation] CancellationToken ct)
    {
        WorkloadStatus? last = null;
        while (true)
        {
            // Armed before the read, so a change between the read and the wait is not missed.
            var change = nextChange(ct);
            var now = await status(ct);
            if (now != last) yield return now;
            if (now.IsFinal) yield break;
            last = now;
            await change;
        }
    }

    /// <summary>For engines without events: the next change may come at the next interval.</summary>
    public static Func<CancellationToken, Task> Every(TimeSpan interval) => ct => Task.Delay(interval, ct);
}
