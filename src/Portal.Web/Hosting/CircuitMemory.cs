using System.Runtime;

namespace Portal.Web.Hosting;

/// <summary>
/// Counts the open circuits and, once many have closed and the portal has been quiet for a while, asks the GC for one
/// compacting collection. The GC runs when the process allocates: a portal whose pages all closed allocates next to
/// nothing, so without this the memory of hundreds of closed circuits stayed with the process for as long as it ran
/// (benchmarks/log-streaming.sh, idle pages).
/// </summary>
public sealed class CircuitMemory(ILogger<CircuitMemory> log) : IDisposable
{
    /// <summary>How long after the last circuit closed the collection runs: closes come in waves (a browser's tabs).</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(30);
    /// <summary>Fewer closed circuits than this are not worth a full collection.</summary>
    public const int Worth = 20;

    private readonly Lock _gate = new();
    private int _open, _closedSinceTrim;
    private Timer? _timer;

    public int Open => Volatile.Read(ref _open);

    public void Opened() => Interlocked.Increment(ref _open);

    public void Closed()
    {
        Interlocked.Decrement(ref _open);
        lock (_gate)
        {
            if (++_closedSinceTrim < Worth) return;
            _timer ??= new Timer(_ => Trim(), null, Timeout.Infinite, Timeout.Infinite);
            _timer.Change(Quiet, Timeout.InfiniteTimeSpan);
        }
    }

    private void Trim()
    {
        int closed;
        lock (_gate) (closed, _closedSinceTrim) = (_closedSinceTrim, 0);
        var before = GC.GetTotalMemory(false);
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        log.LogInformation("{Closed} circuits closed: the heap went from {Before:N0} to {After:N0} bytes ({Open} circuits open)",
            closed, before, GC.GetTotalMemory(false), Open);
    }

    public void Dispose() => _timer?.Dispose();
}
