using System.Threading.Channels;

namespace Portal.Web.Router;

/// <summary>
/// Sends routes' shadow copies in the background: the caller's request only queues its copy, so a slow or failing shadow
/// never slows it. A few copies are in flight at once; when the shadow falls far behind, copies are dropped and counted
/// rather than piling up in memory.
/// </summary>
public sealed class ShadowCopies(ModelInvoker invoker, ILogger<ShadowCopies> logger) : BackgroundService
{
    private const int InFlight = 16;
    private readonly Channel<ModelRequest> _queue = Channel.CreateBounded<ModelRequest>(new BoundedChannelOptions(2_000)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
    });
    private long _dropped;

    /// <summary>Copies dropped because the shadow was too far behind, since the portal started.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Send(ModelRequest copy)
    {
        if (_queue.Writer.TryWrite(copy)) return;
        if (Interlocked.Increment(ref _dropped) % 100 == 1)
            logger.LogWarning("The shadow {Deployment} of route {Route} is behind; {Dropped} copies dropped so far", copy.Deployment, copy.Route, Dropped);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, InFlight).Select(async _ =>
        {
            await foreach (var copy in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try { await invoker.InvokeAsync(copy, stoppingToken); }
                catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException)
                {
                    logger.LogDebug(e, "A shadow copy to {Deployment} failed", copy.Deployment);
                }
            }
        }));
}
