using System.Text;
using System.Threading.Channels;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Web.Router;

/// <summary>
/// Writes the router's records in the background, in batches (one transaction each), so recording never makes a
/// prediction wait for the metadata store. The request path only queues the record and the bodies' bytes: decoding them
/// and writing happen here, and a batch gathers for <see cref="Window"/> first, because a transaction per request
/// competed with the requests for the cores (the router's p50 overhead halved without it). <see cref="FlushAsync"/>
/// writes at once, so feedback finds a record just sent.
/// </summary>
public sealed class PredictionRecorder(IPredictionStore store, Portal.Core.Notifications.ChangeFeed<PredictionRecord> feed, ILogger<PredictionRecorder> logger)
    : BackgroundService
{
    private const int MaxBatch = 500;
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(100);
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(50_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });
    private long _queued, _written;
    private TaskCompletionSource _hurry = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed record Pending(PredictionRecord Record, byte[] Request, byte[] Response);

    /// <summary>
    /// Queues a record with its request and response bodies (stored as text, cut at <see cref="PredictionRecord.MaxBodyChars"/>);
    /// when the store falls 50,000 behind, records are dropped (and logged) rather than slowing predictions.
    /// </summary>
    public void Record(PredictionRecord record, byte[] request, byte[] response)
    {
        if (_queue.Writer.TryWrite(new Pending(record, request, response))) Interlocked.Increment(ref _queued);
        else logger.LogWarning("The prediction store is behind; request {RequestId} was not recorded", record.RequestId);
    }

    /// <summary>Waits until what was queued before the call is stored.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        var target = Interlocked.Read(ref _queued);
        for (var i = 0; i < 200 && Interlocked.Read(ref _written) < target; i++)
        {
            Volatile.Read(ref _hurry).TrySetResult();
            await Task.Delay(10, ct);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PredictionRecord>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            var hurry = Volatile.Read(ref _hurry);
            if (_queue.Reader.Count < MaxBatch) await Task.WhenAny(Task.Delay(Window, stoppingToken), hurry.Task);
            if (hurry.Task.IsCompleted) Volatile.Write(ref _hurry, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
            {
                pending.Record.Request = Cut(pending.Request);
                pending.Record.Response = Cut(pending.Response);
                batch.Add(pending.Record);
            }
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

    private static string Cut(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        return text.Length <= PredictionRecord.MaxBodyChars ? text : text[..PredictionRecord.MaxBodyChars];
    }
}
