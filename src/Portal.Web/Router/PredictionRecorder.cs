using System.Threading.Channels;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Web.Router;

/// <summary>
/// Writes the router's records in the background, in batches (one transaction each), so recording never makes a
/// prediction wait for the metadata store. <see cref="FlushAsync"/> lets feedback find a record just written.
/// </summary>
public sealed class PredictionRecorder(IPredictionStore store, Portal.Core.Notifications.ChangeFeed<PredictionRecord> feed, ILogger<PredictionRecorder> logger)
    : BackgroundService
{
    private const int MaxBatch = 500;
    private readonly Channel<PredictionRecord> _queue = Channel.CreateBounded<PredictionRecord>(new BoundedChannelOptions(50_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });
    private long _queued, _written;

    /// <summary>Queues a record; when the store falls 50,000 behind, records are dropped (and logged) rather than slowing predictions.</summary>
    public void Record(PredictionRecord record)
    {
        if (_queue.Writer.TryWrite(record)) Interlocked.Increment(ref _queued);
        else logger.LogWarning("The prediction store is behind; request {RequestId} was not recorded", record.RequestId);
    }

    /// <summary>Waits until what was queued before the call is stored.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        var target = Interlocked.Read(ref _queued);
        for (var i = 0; i < 200 && Interlocked.Read(ref _written) < target; i++) await Task.Delay(10, ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PredictionRecord>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var record)) batch.Add(record);
            try { await store.AddAsync(batch, CancellationToken.None); }
            catch (Exception e) when (e is Microsoft.EntityFrameworkCore.DbUpdateException or InvalidOperationException)
            {
                // One bad record (a reused Request-ID) must not lose the batch: store the rest one by one.
                foreach (var one in batch)
                {
                    try { await store.AddAsync([one], CancellationToken.None); }
                    catch (Exception inner) when (inner is Microsoft.EntityFrameworkCore.DbUpdateException or InvalidOperationException)
                    {
                        logger.LogWarning("Request {RequestId} was not recorded: {Message}", one.RequestId, inner.Message);
                    }
                }
            }
            Interlocked.Add(ref _written, batch.Count);
            // Pages showing a deployment's requests hear of the newest one stored, once per batch.
            foreach (var newest in batch.GroupBy(r => r.DeploymentId).Select(g => g.Last())) feed.Publish(newest);
            batch.Clear();
        }
    }
}
