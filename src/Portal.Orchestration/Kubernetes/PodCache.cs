using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Portal.Core.Containers;

namespace Portal.Orchestration.Kubernetes;

/// <summary>
/// The portal's pods as the API server last described them, kept current by one watch (list, then watch from the
/// list's version; a 410 Gone or a closed stream lists again, or watches again from the last version seen). Statuses
/// are read from here, not polled.
/// </summary>
public sealed class PodCache(KubeCluster cluster, string ns) : IAsyncDisposable
{
    private static readonly string Selector = $"{PortalLabels.Owner}={PortalLabels.OwnerValue}";
    private readonly ConcurrentDictionary<string, V1Pod> _pods = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _listed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ChangeSignal _changed = new();
    private Task? _loop;
    private readonly Lock _gate = new();
    private Exception? _lastError;
    private int _disposed;

    /// <summary>How many times the cache listed from scratch (first list included): relists follow 410 Gone and errors.</summary>
    public int Lists { get; private set; }

    /// <summary>Starts the watch on first use and waits for the first list (an API timeout at most, then says why not).</summary>
    public async Task ReadyAsync(CancellationToken ct)
    {
        lock (_gate) _loop ??= Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        if (_listed.Task.IsCompleted) return;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(cluster.ApiTimeout + TimeSpan.FromSeconds(2));
        try { await _listed.Task.WaitAsync(timeout.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw _lastError as ContainerManagerException
                ?? new EngineUnreachableException(
                    $"The portal's pods in namespace {ns} could not be listed within {cluster.ApiTimeout.TotalSeconds + 2:0} s.");
        }
    }

    public IReadOnlyList<V1Pod> Of(string workload) =>
        [.. _pods.Values.Where(p => p.Metadata?.Labels is { } labels && labels.TryGetValue(KubeManifests.WorkloadLabel, out var w) && w == workload)
            .OrderBy(p => p.Metadata?.CreationTimestamp)];

    /// <summary>Completes at the next change to any pod.</summary>
    public Task ChangedAsync(CancellationToken ct) => _changed.NextAsync(ct);

    private void Signal() => _changed.Signal();

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var list = await cluster.CallAsync($"listing the pods of namespace {ns}",
                    (k, t) => k.CoreV1.ListNamespacedPodAsync(ns, labelSelector: Selector, cancellationToken: t), ct);
                Lists++;
                var names = new HashSet<string>();
                foreach (var pod in list.Items)
                {
                    names.Add(pod.Metadata.Name);
                    _pods[pod.Metadata.Name] = pod;
                }
                foreach (var gone in _pods.Keys.Except(names).ToList()) _pods.TryRemove(gone, out _);
                _listed.TrySetResult();
                Signal();
                var version = list.Metadata?.ResourceVersion;
                // The server closes a watch now and then (its own timeout): watch again from where it was, until a 410.
                while (!ct.IsCancellationRequested && await WatchAsync(version, v => version = v, ct)) { }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e) when (e is ContainerManagerException or IOException or HttpRequestException or System.Text.Json.JsonException)
            {
                _lastError = e as ContainerManagerException ?? cluster.Translate(e, $"watching the pods of namespace {ns}") ?? _lastError;
                try { await Task.Delay(TimeSpan.FromSeconds(2), ct); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    /// <summary>
    /// One watch stream from <paramref name="version"/>, until the server closes it; false when the server said the version
    /// is gone (410): list again. The list before it ran under the API timeout; the stream itself lasts as long as the server keeps it.
    /// </summary>
    private async Task<bool> WatchAsync(string? version, Action<string> seen, CancellationToken ct)
    {
        Exception? failure = null;
        var events = cluster.Api.CoreV1.WatchListNamespacedPodAsync(ns, allowWatchBookmarks: true, labelSelector: Selector,
            resourceVersion: version, onError: e => failure ??= e, cancellationToken: ct);
        try
        {
            await foreach (var (type, pod) in events)
            {
                if (pod?.Metadata?.ResourceVersion is { } v) seen(v);
                if (type == WatchEventType.Bookmark || pod?.Metadata?.Name is not { } name) continue;
                if (type == WatchEventType.Deleted) _pods.TryRemove(name, out _);
                else _pods[name] = pod;
                Signal();
            }
        }
        // The client reports a watch the server closed before its first event (its watch timeout on a quiet namespace) as a
        // failed read: nothing was missed, so watch again from the same version.
        catch (HttpRequestException e) when (e.InnerException is EndOfStreamException) { return true; }
        catch (Exception e) when (e is not OperationCanceledException && cluster.Translate(e, $"watching the pods of namespace {ns}") is { } error)
        {
            throw error;
        }
        if (failure is KubernetesException { Status.Code: 410 }) return false;
        if (failure is not null) throw cluster.Translate(failure, $"watching the pods of namespace {ns}") ?? failure;
        return true;
    }

    /// <summary>Stops the watch; safe to call twice (the container disposes the manager under each registration).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
        _stop.Dispose();
    }
}
