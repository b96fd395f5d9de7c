using Portal.Core.Containers;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Contracts;

/// <summary>One engine watch per workload, however many follow it; the last follower to leave ends it.</summary>
public sealed class WatchSharingManagerTests
{
    private static CancellationToken Within() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private static async Task<List<WorkloadStatus>> FollowAsync(WatchSharingManager manager, string id)
    {
        var seen = new List<WorkloadStatus>();
        await foreach (var status in manager.WatchAsync(id, Within())) seen.Add(status);
        return seen;
    }

    [Fact]
    public async Task Followers_of_one_workload_share_one_engine_watch_and_each_sees_the_end()
    {
        var fake = new FakeContainerManager();
        var shared = new WatchSharingManager(fake);
        var id = await shared.StartAsync(new WorkloadSpec { Name = "w", Image = "fake", Command = ["echo up; sleep 0.4; exit 2"] }, Within());

        var followers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => FollowAsync(shared, id)));

        Assert.Equal(1, fake.Watches);
        Assert.All(followers, seen => Assert.Equal((WorkloadState.Failed, 2), (seen[^1].State, seen[^1].ExitCode)));
        Assert.Equal(0, shared.Watched);
    }

    [Fact]
    public async Task A_follower_that_leaves_early_does_not_end_the_watch_of_the_others_and_the_last_one_ends_it()
    {
        var fake = new FakeContainerManager();
        var shared = new WatchSharingManager(fake);
        var id = await shared.StartAsync(new WorkloadSpec { Name = "w", Image = "fake", Command = ["echo up; sleep 30"] }, Within());

        using var leaving = new CancellationTokenSource();
        var early = Task.Run(async () =>
        {
            await foreach (var status in shared.WatchAsync(id, leaving.Token))
                if (status.State == WorkloadState.Running) await leaving.CancelAsync();
        });
        var staying = FollowAsync(shared, id);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => early);
        Assert.Equal(1, shared.Watched);

        await shared.StopAsync(id, Within());
        Assert.Equal(WorkloadState.Stopped, (await staying)[^1].State);
        Assert.Equal(0, shared.Watched);
        Assert.Equal(1, fake.Watches);
    }
}
