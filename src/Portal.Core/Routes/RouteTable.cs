using System.Collections.Frozen;
using Portal.Core.Entities;
using Portal.Core.Notifications;
using Portal.Core.Stores;

namespace Portal.Core.Routes;

/// <summary>
/// The routes as the router sees them: every route, read from the store at most once a second (so another portal
/// process's change applies within a second) and at once after a change here. A request asks the table, not the store.
/// </summary>
public sealed class RouteTable : IDisposable
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);
    private readonly IRouteStore _store;
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _reading = new(1, 1);
    private (FrozenDictionary<string, ModelRoute> Routes, DateTimeOffset At)? _snapshot;
    private int _changes;

    public RouteTable(IRouteStore store, ChangeFeed<ModelRoute> feed, TimeProvider clock)
    {
        _store = store;
        _clock = clock;
        feed.Subscribe(_ => true, _ =>
        {
            Interlocked.Increment(ref _changes);
            _snapshot = null;
            return Task.CompletedTask;
        });
    }

    public void Dispose() => _reading.Dispose();

    /// <summary>The route named <paramref name="name"/>, or null when the name is not a route's (a deployment's, or nothing).</summary>
    public async ValueTask<ModelRoute?> FindAsync(string name, CancellationToken ct)
    {
        var snapshot = _snapshot;
        if (snapshot is null || _clock.GetUtcNow() - snapshot.Value.At > Freshness) snapshot = await ReadAsync(ct);
        return snapshot.Value.Routes.GetValueOrDefault(name);
    }

    private async Task<(FrozenDictionary<string, ModelRoute>, DateTimeOffset)> ReadAsync(CancellationToken ct)
    {
        await _reading.WaitAsync(ct);
        try
        {
            // Another request may have read while this one waited.
            if (_snapshot is { } fresh && _clock.GetUtcNow() - fresh.At <= Freshness) return fresh;
            var at = _clock.GetUtcNow();
            var changes = Volatile.Read(ref _changes);
            var read = ((await _store.ListAsync(ct)).ToFrozenDictionary(r => r.Name, StringComparer.Ordinal), at);
            // A change published during the read may not be in it: use it for this request, keep nothing.
            if (Volatile.Read(ref _changes) == changes) _snapshot = read;
            return read;
        }
        finally { _reading.Release(); }
    }
}
