using Portal.Core.Deployments;
using System.Collections.Concurrent;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Services;

namespace Portal.Web.Router;

/// <summary>
/// Where each deployment's running replicas answer, refreshed from the container manager at most once a second,
/// and which one is next (round robin). A replica that refused a connection is skipped until the next refresh.
/// </summary>
public sealed class ReplicaDirectory
{
    private readonly DeploymentService deployments;
    private readonly TimeProvider clock;

    public ReplicaDirectory(DeploymentService deployments, Portal.Core.Notifications.ChangeFeed<Deployment> changes, TimeProvider clock)
    {
        (this.deployments, this.clock) = (deployments, clock);
        // A deployment that changed (scaled, asleep, awake, switched) is asked about afresh at its next request.
        changes.Subscribe(_ => true, d =>
        {
            Invalidate(d.Name);
            return Task.CompletedTask;
        });
    }

    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, Entry> _entries = new();

    private sealed class Entry(Deployment deployment, string[] endpoints, DateTimeOffset at)
    {
        public Deployment Deployment { get; } = deployment;
        public string[] Endpoints { get; } = endpoints;
        public DateTimeOffset At { get; } = at;
        public ConcurrentDictionary<string, bool> Refused { get; } = new();
    }

    /// <summary>Each deployment's round-robin position, kept across refreshes so that a refresh does not send the next request to the first replica again.</summary>
    private sealed class Turn
    {
        private int _next = -1;
        public int Next() => Interlocked.Increment(ref _next) & int.MaxValue;
    }

    private readonly ConcurrentDictionary<string, Turn> _turns = new();

    /// <summary>The deployment and its endpoints in the order to try them; null when there is no such deployment.</summary>
    public async Task<(Deployment Deployment, IReadOnlyList<string> Endpoints)?> ResolveAsync(string name, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (!_entries.TryGetValue(name, out var entry) || now - entry.At > Freshness)
        {
            Deployment deployment;
            try { deployment = await deployments.GetAsync(name, ct); }
            catch (NotFoundException) { _entries.TryRemove(name, out _); _turns.TryRemove(name, out _); return null; }
            var replicas = await deployments.ReplicasAsync(deployment, ct);
            entry = new Entry(deployment, replicas.Select(r => r.Endpoint).OfType<string>().Order(StringComparer.Ordinal).ToArray(), now);
            _entries[name] = entry;
        }
        var usable = entry.Endpoints.Where(e => !entry.Refused.ContainsKey(e)).ToArray();
        if (usable.Length == 0) usable = entry.Endpoints;
        if (usable.Length == 0) return (entry.Deployment, []);
        var start = _turns.GetOrAdd(name, _ => new Turn()).Next() % usable.Length;
        return (entry.Deployment, usable.Skip(start).Concat(usable.Take(start)).ToList());
    }

    /// <summary>Forgets what is known of a deployment, so the next request asks the manager again.</summary>
    public void Invalidate(string name) => _entries.TryRemove(name, out _);

    public void MarkRefused(string name, string endpoint)
    {
        if (_entries.TryGetValue(name, out var entry)) entry.Refused[endpoint] = true;
    }
}
