using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Portal.Core.Containers;

/// <summary>
/// The configured manager as the portal uses it (composition wraps it): one watch of a workload however many follow it
/// (the supervisor, every open page). The first follower starts the manager's <see cref="IContainerManager.WatchAsync"/>,
/// later ones share what it saw, and the last to leave stops it: one poller per workload on engines that must be polled.
/// Everything else goes straight to the manager.
/// </summary>
public sealed class WatchSharingManager(IContainerManager manager) : IContainerManager
{
    public ManagerCapabilities Capabilities => manager.Capabilities;
    public Task<ManagerHealth> CheckAsync(CancellationToken ct) => manager.CheckAsync(ct);
    public Task<string> StartAsync(WorkloadSpec spec, CancellationToken ct) => manager.StartAsync(spec, ct);
    public Task<WorkloadStatus> GetStatusAsync(string id, CancellationToken ct) => manager.GetStatusAsync(id, ct);
    public IAsyncEnumerable<LogLine> ReadLogsAsync(string id, bool follow, CancellationToken ct) => manager.ReadLogsAsync(id, follow, ct);
    public Task StopAsync(string id, CancellationToken ct) => manager.StopAsync(id, ct);
    public Task RemoveAsync(string id, CancellationToken ct) => manager.RemoveAsync(id, ct);
    public Task<IReadOnlyList<WorkloadInfo>> ListOwnedAsync(CancellationToken ct) => manager.ListOwnedAsync(ct);
    public Task<bool> MayRunElsewhereAsync(CancellationToken ct) => manager.MayRunElsewhereAsync(ct);

    /// <summary>How many workloads are watched now (one engine watch each).</summary>
    public int Watched => _watches.Count;

    private readonly ConcurrentDictionary<string, Shared> _watches = new();
    private readonly Lock _gate = new();

    /// <summary>The workload's status now and at each change, ending with the final one.</summary>
    public async IAsyncEnumerable<WorkloadStatus> WatchAsync(string id, [EnumeratorCancellation] CancellationToken ct)
    {
        Shared shared;
        lock (_gate)
        {
            // A watch that ended (an engine error) is not joined: a follower asking again gets a fresh one.
            if (!_watches.TryGetValue(id, out shared!) || shared.Snapshot().Ended) _watches[id] = shared = new Shared(manager, id);
            shared.Followers++;
        }
        try
        {
            WorkloadStatus? sent = null;
            while (true)
            {
                var next = shared.Changed.NextAsync(ct);
                var (last, ended, error) = shared.Snapshot();
                if (last is not null && last != sent) yield return sent = last;
                if (error is not null) throw error;
                if (ended) yield break;
                await next;
            }
        }
        finally
        {
            lock (_gate)
            {
                if (--shared.Followers == 0)
                {
                    _watches.TryRemove(new KeyValuePair<string, Shared>(id, shared));
                    shared.Dispose();
                }
            }
        }
    }

    private sealed class Shared : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Lock _gate = new();
        private WorkloadStatus? _last;
        private bool _ended;
        private Exception? _error;

        public Shared(IContainerManager manager, string id) => _ = Task.Run(() => PumpAsync(manager, id), CancellationToken.None);

        public int Followers { get; set; }
        public ChangeSignal Changed { get; } = new();

        public (WorkloadStatus? Last, bool Ended, Exception? Error) Snapshot()
        {
            lock (_gate) return (_last, _ended, _error);
        }

        /// <summary>Ends the engine watch (the last follower left).</summary>
        public void Dispose()
        {
            _stop.Cancel();
            _stop.Dispose();
        }

        private async Task PumpAsync(IContainerManager manager, string id)
        {
            try
            {
                await foreach (var status in manager.WatchAsync(id, _stop.Token))
                {
                    lock (_gate) _last = status;
                    Changed.Signal();
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
            catch (ContainerManagerException e) { lock (_gate) _error = e; }
            lock (_gate) _ended = true;
            Changed.Signal();
        }
    }
}
