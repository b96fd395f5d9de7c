using System.Threading.Channels;

namespace Portal.Core.Notifications;

/// <summary>A subscription to a <see cref="ChangeFeed{T}"/> read as a stream; disposing it ends the subscription.</summary>
public sealed class ChangeListener<T> : IDisposable where T : class
{
    private readonly Channel<T> _changes = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IDisposable _subscription;

    internal ChangeListener(ChangeFeed<T> feed, Func<T, bool> matches) =>
        _subscription = feed.Subscribe(matches, record => _changes.Writer.WriteAsync(record).AsTask());

    public IAsyncEnumerable<T> ReadAllAsync(CancellationToken ct) => _changes.Reader.ReadAllAsync(ct);

    public void Dispose()
    {
        _subscription.Dispose();
        _changes.Writer.TryComplete();
    }
}
