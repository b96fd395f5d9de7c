using Portal.Core.Containers;

namespace Portal.Tests.Unit.Contracts;

/// <summary>
/// What every container manager promises, the same on each: a task that exits 0 ends Succeeded, one that fails ends
/// Failed with its code, a stopped one ends Stopped, an unknown id is Missing; the watch yields the status until the final
/// one and then ends; a followed log has the task's output in order and ends with the task. Each manager runs it as a
/// subclass (the real engines here, and the fake the fast tests use, which must behave like them). Scripts are plain
/// sequences of echo, sleep and exit, which the fake interprets too.
/// </summary>
public abstract class ContainerManagerContract : IAsyncLifetime
{
    private readonly List<string> _started = [];

    protected IContainerManager Manager { get; private set; } = default!;

    /// <summary>The manager under test, or a skip with the reason it cannot run here.</summary>
    protected abstract Task<IContainerManager> CreateAsync();

    /// <summary>A task running <c>sh -c script</c> (an image with a shell where the manager needs one).</summary>
    protected abstract WorkloadSpec Shell(string script);

    public async Task InitializeAsync() => Manager = await CreateAsync();

    public async Task DisposeAsync()
    {
        foreach (var id in _started)
        {
            try { await Manager.RemoveAsync(id, CancellationToken.None); }
            catch (ContainerManagerException) { }
        }
        if (Manager is IAsyncDisposable disposable) await disposable.DisposeAsync();
        await CleanUpAsync();
    }

    /// <summary>Called after each start: where no engine runs the work, the subclass plays it.</summary>
    protected virtual void Started(string id, WorkloadSpec spec) { }

    /// <summary>What the subclass made for its manager, gone after the manager.</summary>
    protected virtual Task CleanUpAsync() => Task.CompletedTask;

    private static CancellationToken Within(int seconds = 90) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private async Task<string> StartAsync(string script)
    {
        var spec = Shell(script);
        var id = await Manager.StartAsync(spec, Within());
        _started.Add(id);
        Started(id, spec);
        return id;
    }

    private async Task<List<WorkloadStatus>> WatchAsync(string id)
    {
        var seen = new List<WorkloadStatus>();
        await foreach (var status in Manager.WatchAsync(id, Within())) seen.Add(status);
        return seen;
    }

    [SkippableFact]
    public async Task A_task_that_exits_zero_is_watched_to_Succeeded_and_the_watch_ends_there()
    {
        var seen = await WatchAsync(await StartAsync("echo done"));
        Assert.Equal(WorkloadState.Succeeded, seen[^1].State);
        Assert.All(seen[..^1], s => Assert.False(s.IsFinal));
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [SkippableFact]
    public async Task A_task_that_fails_ends_Failed_with_its_exit_code_in_words()
    {
        var id = await StartAsync("echo going; exit 3");
        var final = (await WatchAsync(id))[^1];
        Assert.Equal(WorkloadState.Failed, final.State);
        Assert.Equal(3, final.ExitCode);
        Assert.Contains("3", final.Message);
        Assert.Equal(final, await Manager.GetStatusAsync(id, Within()));
    }

    [SkippableFact]
    public async Task A_followed_log_has_the_output_in_order_and_ends_with_the_task()
    {
        var id = await StartAsync("echo line-1; sleep 0.2; echo line-2; sleep 0.2; echo line-3; echo oops >&2");
        await foreach (var status in Manager.WatchAsync(id, Within()))
            if (status.State != WorkloadState.Pending) break;
        var lines = new List<LogLine>();
        await foreach (var line in Manager.ReadLogsAsync(id, follow: true, Within())) lines.Add(line);
        if (LogsKeepStreams)
        {
            Assert.Equal(["line-1", "line-2", "line-3"], lines.Where(l => l.Stream == LogSource.Stdout).Select(l => l.Text));
            Assert.Contains(lines, l => l.Stream == LogSource.Stderr && l.Text == "oops");
        }
        else Assert.Equal(["line-1", "line-2", "line-3", "oops"], lines.Select(l => l.Text));
    }

    [SkippableFact]
    public async Task A_stopped_task_ends_Stopped()
    {
        var id = await StartAsync("echo up; sleep 120");
        await foreach (var status in Manager.WatchAsync(id, Within()))
            if (status.State == WorkloadState.Running) break;
        await Manager.StopAsync(id, Within());
        Assert.Equal(WorkloadState.Stopped, (await WatchAsync(id))[^1].State);
    }

    [SkippableFact]
    public async Task An_unknown_workload_is_Missing_and_its_watch_ends_at_once()
    {
        var seen = await WatchAsync(UnknownId);
        Assert.Equal([WorkloadState.Missing], seen.Select(s => s.State));
    }

    /// <summary>Whether the engine's logs tell stdout from stderr (Kubernetes' do not).</summary>
    protected virtual bool LogsKeepStreams => true;

    /// <summary>An id in the manager's own form that names nothing.</summary>
    protected abstract string UnknownId { get; }
}
