using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Portal.Core.Containers;

namespace Portal.Tests.Unit.Support;

/// <summary>
/// A container manager in memory for fast tests of what sits on top of one (the training supervisor, launches): no
/// engine, no Python. A workload's command ends in a script of <c>;</c>-separated steps it interprets:
/// <c>echo TEXT</c> (<c>&gt;&amp;2</c> for stderr), <c>sleep SECONDS</c>, <c>exit CODE</c>, <c>pending MESSAGE</c> (waits, as
/// an engine without room would, until <see cref="Release"/>), <c>write PATH TEXT</c> (into the host folder mounted at
/// PATH's folder). It passes the same contract as the real managers (FakeContainerManagerContract).
/// </summary>
public sealed class FakeContainerManager : IContainerManager
{
    private readonly ConcurrentDictionary<string, Run> _runs = new();
    private int _next;

    public ManagerCapabilities Capabilities { get; set; } = new() { Kind = "fake", Containers = true };

    /// <summary>Whether work may land on another node than the portal's (a swarm of several nodes): it then fetches its files.</summary>
    public bool MayRunElsewhere { get; set; }

    public Task<bool> MayRunElsewhereAsync(CancellationToken ct) => Task.FromResult(MayRunElsewhere);

    /// <summary>The script a workload runs; by default the last word of its command.</summary>
    public Func<WorkloadSpec, string> ScriptFor { get; set; } = spec => spec.Command[^1];
    public IReadOnlyCollection<string> Removed => [.. _removed];
    /// <summary>The workloads it has now, whatever fault is injected.</summary>
    public IReadOnlyCollection<string> Owned => [.. _runs.Keys];
    public IReadOnlyCollection<WorkloadSpec> Started => [.. _runs.Values.Select(r => r.Spec).Concat(_ended)];
    private readonly ConcurrentBag<WorkloadSpec> _ended = [];
    private readonly ConcurrentBag<string> _removed = [];

    /// <summary>
    /// While set, every call fails as it does when an engine cannot be reached, and open watches and log follows break;
    /// the workloads themselves go on, as containers do while their engine's API is down.
    /// </summary>
    public bool Unreachable
    {
        get => _unreachable;
        set
        {
            _unreachable = value;
            if (value) foreach (var run in _runs.Values) run.Poke();
        }
    }
    private volatile bool _unreachable;

    private void ThrowIfUnreachable()
    {
        if (_unreachable) throw new EngineUnreachableException("The fake engine cannot be reached (a fault the test injected).");
    }

    public Task<ManagerHealth> CheckAsync(CancellationToken ct) => Task.FromResult(ManagerHealth.Ok("In memory."));

    public Task<string> StartAsync(WorkloadSpec spec, CancellationToken ct)
    {
        var id = $"fake-{Interlocked.Increment(ref _next)}";
        var run = new Run(spec, ScriptFor(spec));
        _runs[id] = run;
        _ = run.ExecuteAsync();
        return Task.FromResult(id);
    }

    /// <summary>Lets a workload waiting at a <c>pending</c> step go on.</summary>
    public void Release(string id) => _runs[id].Released.TrySetResult();

    public Task<WorkloadStatus> GetStatusAsync(string id, CancellationToken ct)
    {
        ThrowIfUnreachable();
        return Task.FromResult(_runs.TryGetValue(id, out var run) ? run.Status : new WorkloadStatus(WorkloadState.Missing, Message: "No such workload."));
    }

    /// <summary>How many times a watch was asked of this manager.</summary>
    public int Watches => _watches;
    private int _watches;

    public IAsyncEnumerable<WorkloadStatus> WatchAsync(string id, CancellationToken ct)
    {
        Interlocked.Increment(ref _watches);
        return WatchChangesAsync(id, ct);
    }

    private IAsyncEnumerable<WorkloadStatus> WatchChangesAsync(string id, CancellationToken ct) => StatusChanges.WatchAsync(
        t => GetStatusAsync(id, t), t => _runs.TryGetValue(id, out var run) ? run.ChangedAsync(t) : Task.CompletedTask, ct);

    public async IAsyncEnumerable<LogLine> ReadLogsAsync(string id, bool follow, [EnumeratorCancellation] CancellationToken ct)
    {
        ThrowIfUnreachable();
        if (!_runs.TryGetValue(id, out var run)) yield break;
        await foreach (var line in run.ReadAsync(follow, ThrowIfUnreachable, ct)) yield return line;
    }

    public Task StopAsync(string id, CancellationToken ct)
    {
        ThrowIfUnreachable();
        if (_runs.TryGetValue(id, out var run)) run.Stop();
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string id, CancellationToken ct)
    {
        ThrowIfUnreachable();
        if (_runs.TryRemove(id, out var run))
        {
            run.Stop();
            _ended.Add(run.Spec);
        }
        _removed.Add(id);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<WorkloadInfo>> ListOwnedAsync(CancellationToken ct)
    {
        ThrowIfUnreachable();
        return Task.FromResult<IReadOnlyList<WorkloadInfo>>([.. _runs.Select(r => new WorkloadInfo(r.Key, r.Value.Spec.Name, r.Value.Spec.Labels, r.Value.Status))]);
    }

    private sealed class Run(WorkloadSpec spec, string script)
    {
        private readonly object _gate = new();
        private readonly List<LogLine> _lines = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly ChangeSignal _changed = new();
        private WorkloadStatus _status = new(WorkloadState.Pending, Message: "Starting.");

        public WorkloadSpec Spec => spec;
        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public WorkloadStatus Status { get { lock (_gate) return _status; } }

        public Task ChangedAsync(CancellationToken ct) => _changed.NextAsync(ct);

        public void Stop() => _stop.Cancel();

        /// <summary>Wakes watches and log readers (to notice a fault).</summary>
        public void Poke() => Signal();

        public async Task ExecuteAsync()
        {
            await Task.Yield();
            Set(new WorkloadStatus(WorkloadState.Running, RunningReplicas: 1));
            try
            {
                foreach (var step in ScriptSteps.Of(script))
                {
                    switch (step.Verb)
                    {
                        case "echo": Append(step.ToStderr ? LogSource.Stderr : LogSource.Stdout, step.Text); break;
                        case "sleep": await Task.Delay(step.Seconds, _stop.Token); break;
                        case "exit" when step.Code != 0:
                            Finish(new WorkloadStatus(WorkloadState.Failed, step.Code, $"The process exited with code {step.Code}."));
                            return;
                        case "exit": Finish(new WorkloadStatus(WorkloadState.Succeeded, 0)); return;
                        case "pending":
                            Set(new WorkloadStatus(WorkloadState.Pending, Message: step.Argument));
                            await Released.Task.WaitAsync(_stop.Token);
                            Set(new WorkloadStatus(WorkloadState.Running, RunningReplicas: 1));
                            break;
                        case "write": Write(step.Argument); break;
                        default: throw new InvalidOperationException($"The fake manager does not know '{step.Verb}'.");
                    }
                }
                Finish(new WorkloadStatus(WorkloadState.Succeeded, 0));
            }
            catch (OperationCanceledException) { Finish(new WorkloadStatus(WorkloadState.Stopped, 137, "Stopped on request.")); }
        }

        /// <summary><c>PATH TEXT</c>: PATH inside the workload, written to the host folder mounted over its folder.</summary>
        private void Write(string rest)
        {
            var space = rest.IndexOf(' ');
            var (path, text) = (rest[..space], rest[(space + 1)..]);
            var mount = spec.Mounts.Single(m => path.StartsWith(m.Target + "/", StringComparison.Ordinal));
            File.WriteAllText(Path.Combine(mount.Source, path[(mount.Target.Length + 1)..]), text);
        }

        private void Append(LogSource stream, string text)
        {
            lock (_gate) _lines.Add(new LogLine(DateTime.UtcNow, stream, text));
            Signal();
        }

        private void Set(WorkloadStatus status)
        {
            lock (_gate) _status = status;
            Signal();
        }

        private void Finish(WorkloadStatus status)
        {
            lock (_gate) { _status = status; _done = true; }
            Signal();
        }

        private bool _done;

        private void Signal() => _changed.Signal();

        public async IAsyncEnumerable<LogLine> ReadAsync(bool follow, Action checkEngine, [EnumeratorCancellation] CancellationToken ct)
        {
            var sent = 0;
            while (true)
            {
                // Armed before the read, so a line appended in between wakes this reader.
                var changed = _changed.NextAsync(ct);
                LogLine[] fresh;
                bool done;
                lock (_gate)
                {
                    fresh = [.. _lines.Skip(sent)];
                    done = _done;
                }
                foreach (var line in fresh) yield return line;
                sent += fresh.Length;
                if (done || !follow) yield break;
                await changed;
                checkEngine();
            }
        }
    }
}
