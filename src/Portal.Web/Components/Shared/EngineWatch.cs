using Portal.Core.Containers;

namespace Portal.Web.Components.Shared;

/// <summary>
/// How a page follows a workload's status: each status goes to <c>onStatus</c> (true ends the following); while the
/// engine cannot be reached the page is told since when (null once it answers) and the watch is asked again with
/// back-off. Other engine errors and the page going away end it quietly: the page keeps what it last showed.
/// </summary>
public static class EngineWatch
{
    public static async Task FollowAsync(
        Func<CancellationToken, IAsyncEnumerable<WorkloadStatus>> watch, Func<WorkloadStatus, Task<bool>> onStatus,
        Func<DateTime?, Task> onUnreachable, CancellationToken ct)
    {
        var outage = new EngineOutage(TimeProvider.System, TimeSpan.MaxValue);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await foreach (var status in watch(ct))
                {
                    if (outage.Since is not null) await onUnreachable(null);
                    outage.End();
                    if (await onStatus(status)) return;
                }
                return;
            }
            catch (OperationCanceledException) { return; }
            catch (EngineUnreachableException e)
            {
                outage.Begin(e.Message);
                await onUnreachable(outage.Since);
                try { await Task.Delay(outage.NextDelay(), ct); }
                catch (OperationCanceledException) { return; }
            }
            catch (ContainerManagerException) { return; }
        }
    }
}
