using System.Runtime.CompilerServices;

namespace Portal.Core.Logs;

/// <summary>Groups a stream's items into batches of what is at hand: a burst goes as one batch, a quiet stream item by item.</summary>
public static class AtHand
{
    public static async IAsyncEnumerable<IReadOnlyList<T>> BatchAsync<T>(this IAsyncEnumerable<T> items, int max,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var e = items.GetAsyncEnumerator(ct);
        var batch = new List<T>();
        while (true)
        {
            var next = e.MoveNextAsync();
            // Nothing more at hand: what was gathered goes now rather than waiting for the next item.
            if (!next.IsCompleted && batch.Count > 0)
            {
                yield return batch;
                batch = [];
            }
            if (!await next) break;
            batch.Add(e.Current);
            if (batch.Count >= max)
            {
                yield return batch;
                batch = [];
            }
        }
        if (batch.Count > 0) yield return batch;
    }
}
