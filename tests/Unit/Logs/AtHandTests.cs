using System.Threading.Channels;
using Portal.Core.Logs;

namespace Portal.Tests.Unit.Logs;

/// <summary>Batches of what is at hand: a burst is one batch (up to the maximum), a quiet stream goes item by item.</summary>
public sealed class AtHandTests
{
    [Fact]
    public async Task A_burst_goes_as_one_batch_and_a_lone_item_at_once()
    {
        var channel = Channel.CreateUnbounded<int>();
        await using var batches = channel.Reader.ReadAllAsync().BatchAsync(max: 3).GetAsyncEnumerator();
        foreach (var i in new[] { 1, 2, 3, 4, 5 }) await channel.Writer.WriteAsync(i);

        Assert.True(await batches.MoveNextAsync());
        Assert.Equal([1, 2, 3], batches.Current);
        Assert.True(await batches.MoveNextAsync());
        Assert.Equal([4, 5], batches.Current);

        var waiting = batches.MoveNextAsync();
        Assert.False(waiting.IsCompleted);
        await channel.Writer.WriteAsync(6);
        Assert.True(await waiting);
        Assert.Equal([6], batches.Current);

        channel.Writer.Complete();
        Assert.False(await batches.MoveNextAsync());
    }
}
