using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace Portal.Core.Notifications;

/// <summary>
/// In-process notification of a changed record, published once by the record's one writer (a run's supervisor) and
/// delivered to whoever subscribed: pages, hubs, streams. Subscribers get the record as saved and never read the store
/// to learn it changed. A slow or failing subscriber delays or loses only its own deliveries.
/// </summary>
public sealed class ChangeFeed<T>(ILogger<ChangeFeed<T>> logger) where T : class
{
    private ImmutableList<Subscription> _subscriptions = [];

    /// <summary>Calls <paramref name="onChange"/> with each published record <paramref name="matches"/> accepts, until disposed.</summary>
    public IDisposable Subscribe(Func<T, bool> matches, Func<T, Task> onChange)
    {
        var subscription = new Subscription(this, matches, onChange);
        ImmutableInterlocked.Update(ref _subscriptions, list => list.Add(subscription));
        return subscription;
    }

    /// <summary>
    /// The records <paramref name="matches"/> accepts, from now on, to read as a stream (an API's event stream). Listening
    /// starts at once, so a caller may read the current record after this and miss no change.
    /// </summary>
    public ChangeListener<T> Listen(Func<T, bool> matches) => new(this, matches);

    public void Publish(T record)
    {
        foreach (var subscription in _subscriptions)
            if (subscription.Matches(record)) _ = DeliverAsync(subscription, record);
    }

    public int Subscribers => _subscriptions.Count;

    private async Task DeliverAsync(Subscription subscription, T record)
    {
        try { await subscription.OnChange(record); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "A subscriber to {Record} changes failed", typeof(T).Name);
        }
    }

    private sealed class Subscription(ChangeFeed<T> feed, Func<T, bool> matches, Func<T, Task> onChange) : IDisposable
    {
        public Func<T, Task> OnChange => onChange;

        public bool Matches(T record)
        {
            try { return matches(record); }
            catch (Exception e) when (e is not OutOfMemoryException) { return false; }
        }

        public void Dispose() => ImmutableInterlocked.Update(ref feed._subscriptions, list => list.Remove(this));
    }
}
