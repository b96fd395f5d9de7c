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
        await using var batches = channel.Reader.ReadAllAsync().BatchAsync(max: 3, interval: TimeSpan.Zero).GetAsyncEnumerator();
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

    [Fact]
    public async Task Items_that_come_soon_after_a_batch_wait_for_the_interval_and_go_together()
    {
        var channel = Channel.CreateUnbounded<int>();
        await using var batches = channel.Reader.ReadAllAsync().BatchAsync(max: 100, interval: TimeSpan.FromMilliseconds(300)).GetAsyncEnumerator();
        await channel.Writer.WriteAsync(1);
        Assert.True(await batches.MoveNextAsync());
        Assert.Equal([1], batches.Current);

        // Each arrives while the interval since the last batch runs: they join one batch instead of going one by one.
        var waiting = batches.MoveNextAsync();
        await channel.Writer.WriteAsync(2);
        await Task.Delay(50);
        await channel.Writer.WriteAsync(3);
        Assert.True(await waiting);
        Assert.Equal([2, 3], batches.Current);
    }
}
