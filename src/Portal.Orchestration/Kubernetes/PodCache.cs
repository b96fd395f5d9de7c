using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Portal.Core.Containers;

namespace Portal.Orchestration.Kubernetes;

/// <summary>
/// The portal's pods as the API server last described them, kept current by one watch (list, then watch from the
/// list's version; a 410 Gone or a closed stream lists again). Statuses are read from here, not polled.
/// </summary>
public sealed class PodCache(KubernetesClient client, string podsPath) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, JsonObject> _pods = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _listed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private readonly object _gate = new();

    /// <summary>How many times the cache listed from scratch (first list included): relists follow 410 Gone and errors.</summary>
    public int Lists { get; private set; }

    private Exception? _lastError;

    /// <summary>Starts the watch on first use and waits for the first list (an API timeout at most, then says why not).</summary>
    public async Task ReadyAsync(CancellationToken ct)
    {
        lock (_gate) _loop ??= Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        if (_listed.Task.IsCompleted) return;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(client.ApiTimeout + TimeSpan.FromSeconds(2));
        try { await _listed.Task.WaitAsync(timeout.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw _lastError switch
            {
                KubeApiException k => k.ToUserError(),
                ContainerManagerException c => c,
                _ => new ContainerManagerException($"The portal's pods ({podsPath}) could not be listed within {client.ApiTimeout.TotalSeconds + 2:0} s."),
            };
        }
    }

    public IReadOnlyList<JsonObject> Of(string workload) =>
        [.. _pods.Values.Where(p => p["metadata"]?["labels"]?[KubeManifests.WorkloadLabel]?.GetValue<string>() == workload)
            .OrderBy(p => p["metadata"]?["creationTimestamp"]?.GetValue<string>())];

    /// <summary>Completes at the next change to any pod.</summary>
    public Task ChangedAsync(CancellationToken ct)
    {
        lock (_gate) return _changed.Task.WaitAsync(ct);
    }

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        previous.TrySetResult();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var selector = $"{PortalLabels.Owner}={PortalLabels.OwnerValue}";
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var list = await client.ListAsync(podsPath, selector, ct);
                Lists++;
                var names = new HashSet<string>();
                foreach (var pod in list["items"]!.AsArray().OfType<JsonObject>())
                {
                    var name = pod["metadata"]!["name"]!.GetValue<string>();
                    names.Add(name);
                    _pods[name] = (JsonObject)pod.DeepClone();
                }
                foreach (var gone in _pods.Keys.Except(names).ToList()) _pods.TryRemove(gone, out _);
                _listed.TrySetResult();
                Signal();
                var version = list["metadata"]?["resourceVersion"]?.GetValue<string>();
                while (!ct.IsCancellationRequested)
                {
                    await foreach (var e in client.WatchAsync(podsPath, selector, version, ct))
                    {
                        version = e.ResourceVersion ?? version;
                        if (e.Type == "BOOKMARK") continue;
                        var name = e.Item["metadata"]?["name"]?.GetValue<string>();
                        if (name is null) continue;
                        if (e.Type == "DELETED") _pods.TryRemove(name, out _);
                        else _pods[name] = e.Item;
                        Signal();
                    }
                    // The server closed the stream (its watch timeout): watch again from where it was.
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (KubeApiException e) when (e.Code == 410) { }
            catch (Exception e) when (e is KubeApiException or ContainerManagerException or IOException or System.Text.Json.JsonException)
            {
                _lastError = e;
                try { await Task.Delay(TimeSpan.FromSeconds(2), ct); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private int _disposed;

    /// <summary>Stops the watch; safe to call twice (the container disposes the manager under each registration).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
        _stop.Dispose();
    }
}
