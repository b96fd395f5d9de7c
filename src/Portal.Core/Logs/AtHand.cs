using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Portal.Core.Logs;

/// <summary>
/// Groups a stream's items into batches of what is at hand. A batch goes when it is full, when its first item is
/// <c>interval</c> old, or when nothing more is at hand and the previous batch went at least <c>interval</c> ago: a quiet
/// stream goes item by item, a stream that writes in many small bursts goes about every <c>interval</c>.
/// </summary>
public static class AtHand
{
    /// <summary>
    /// The interval for logs shown on a page: a log that writes in many small bursts costs each page ~13 messages a second,
    /// not one per burst, and a line is on screen well within a quarter of a second (benchmarks/log-streaming.sh).
    /// </summary>
    public static readonly TimeSpan PageInterval = TimeSpan.FromMilliseconds(75);

    /// <summary>Most lines in one batch for a page: a stored log of a million lines reaches it in batches a browser takes in stride.</summary>
    public const int PageBatch = 1000;

    public static async IAsyncEnumerable<IReadOnlyList<T>> BatchAsync<T>(this IAsyncEnumerable<T> items, int max, TimeSpan interval,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        // The source is read one item ahead while a batch waits: leaving early cancels that read before the source is disposed.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var e = items.GetAsyncEnumerator(stop.Token);
        Task<bool>? more = null;
        try
        {
            var batch = new List<T>();
            var sinceFirst = new Stopwatch();
            var sinceSent = Stopwatch.StartNew();
            while (true)
            {
                var next = e.MoveNextAsync();
                if (!next.IsCompleted && batch.Count > 0)
                {
                    more = next.AsTask();
                    var wait = interval - sinceSent.Elapsed;
                    if (wait <= TimeSpan.Zero || await Task.WhenAny(more, Task.Delay(wait, ct)) != more)
                    {
                        yield return batch;
                        batch = [];
                        sinceSent.Restart();
                    }
                    var got = await more;
                    more = null;
                    if (!got) break;
                }
                else if (!await next) break;
                if (batch.Count == 0) sinceFirst.Restart();
                batch.Add(e.Current);
                if (batch.Count >= max || (interval > TimeSpan.Zero && sinceFirst.Elapsed >= interval))
                {
                    yield return batch;
                    batch = [];
                    sinceSent.Restart();
                }
            }
            if (batch.Count > 0) yield return batch;
        }
        finally
        {
            if (more is not null)
            {
                await stop.CancelAsync();
                try { await more; }
                catch (OperationCanceledException) { }
            }
            await e.DisposeAsync();
        }
    }
}
