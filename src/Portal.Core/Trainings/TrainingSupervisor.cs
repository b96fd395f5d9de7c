using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Logs;
using Portal.Core.Notifications;
using Portal.Core.Stores;

namespace Portal.Core.Trainings;

/// <summary>
/// The one owner of a training's state: it alone writes a training's row, from admission to its end, and publishes
/// each change once on the <see cref="ChangeFeed{T}"/> (pages and streams subscribe; nobody polls the store). It follows
/// every started training through the manager's one watch: the output into the log book once the work runs, WAITING
/// with the engine's reason or RUNNING while it lasts, and at the end the results stored, FINISHED / FAILED (with the
/// failing cell) / CANCELLED recorded and the workload removed. After a restart, <see cref="ReconcileAsync"/>
/// re-attaches to work still running and ends what vanished, saying why.
/// </summary>
public sealed class TrainingSupervisor(
    ITrainingStore trainings, IContainerManager manager, TaskLogBook logs, TrainingResults results, ChangeFeed<Training> feed,
    TimeProvider clock, ILogger<TrainingSupervisor> logger) : IDisposable
{
    /// <summary>How long output may trail the end (an engine whose followed log does not end with the work).</summary>
    private static readonly TimeSpan LogDrain = TimeSpan.FromSeconds(2);
    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly ConcurrentDictionary<long, Task> _watches = new();
    private CancellationToken _stopping = CancellationToken.None;

    /// <summary>Called once by the host; the token ends every watch when the portal shuts down (runs keep going).</summary>
    public void Start(CancellationToken stopping) => _stopping = stopping;

    /// <summary>Records a checked launch as WAITING, before anything starts.</summary>
    public async Task<Training> AdmitAsync(Training training, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        training.Task = new TaskInfo { State = TaskState.Waiting, UpdateTime = now };
        training.CreatedAt = now;
        var added = await trainings.AddAsync(training, ct);
        feed.Publish(added);
        return added;
    }

    /// <summary>The workload runs on the engine: remember it and follow it.</summary>
    public async Task<Training> StartedAsync(long id, string workloadId, CancellationToken ct)
    {
        var training = await UpdateAsync(id, t =>
        {
            t.WorkloadId = workloadId;
            t.Task = t.Task with { State = TaskState.Waiting, Message = "Starting.", UpdateTime = Now };
        }, ct);
        Watch(training);
        return training;
    }

    public Task NotStartedAsync(long id, string reason) =>
        UpdateAsync(id, t => t.Task = t.Task with { State = TaskState.Failed, Message = $"Could not start: {reason}", UpdateTime = Now }, CancellationToken.None);

    /// <summary>Marks the training cancelled-on-request, then stops its workload; the watch records the end.</summary>
    public async Task CancelAsync(Training training, CancellationToken ct)
    {
        await UpdateAsync(training.Id, t => t.CancelRequested = true, ct);
        if (training.WorkloadId is not null) await manager.StopAsync(training.WorkloadId, ct);
    }

    /// <summary>Progress and metrics from the running notebook: a report proves it runs, whatever the engine said last.</summary>
    public Task<Training> ReportAsync(long id, double? progress, IReadOnlyDictionary<string, double>? metrics, CancellationToken ct) =>
        UpdateAsync(id, t =>
        {
            if (t.Task.State is not (TaskState.Running or TaskState.Waiting)) return;
            var now = Now;
            t.Task = t.Task with { State = TaskState.Running, Message = null, StartTime = t.Task.StartTime ?? now, Progress = progress ?? t.Task.Progress, UpdateTime = now };
            var merged = new Dictionary<string, double>(t.Metrics);
            foreach (var (k, v) in metrics ?? new Dictionary<string, double>()) merged[k] = v;
            t.Metrics = merged;
        }, ct);

    public async Task ReconcileAsync(CancellationToken ct)
    {
        foreach (var training in await trainings.ListActiveAsync(ct))
        {
            if (training.WorkloadId is null)
            {
                await FinishAsync(training, TaskState.Failed, "The portal stopped before this training was started.", null, ct);
                continue;
            }
            var status = await manager.GetStatusAsync(training.WorkloadId, ct);
            if (status.State == WorkloadState.Missing)
            {
                logs.Open(TrainingPaths.Log(training.Id));
                await CompleteAsync(training, status, ct);
            }
            else
            {
                logger.LogInformation("Re-attaching to training {Training} ({Workload}), {State}", training.Name, training.WorkloadId, status.State);
                Watch(training);
            }
        }
    }

    /// <summary>Waits for the watches to end (tests, shutdown).</summary>
    public Task WhenIdleAsync() => Task.WhenAll(_watches.Values);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private void Watch(Training training) =>
        _watches[training.Id] = Task.Run(() => FollowAsync(training, _stopping), CancellationToken.None);

    /// <summary>Every write of a training, one at a time, each published once saved.</summary>
    private async Task<Training> UpdateAsync(long id, Action<Training> change, CancellationToken ct)
    {
        await _writes.WaitAsync(ct);
        Training saved;
        try { saved = await trainings.MutateAsync(id, change, ct); }
        finally { _writes.Release(); }
        feed.Publish(saved);
        return saved;
    }

    private async Task FollowAsync(Training training, CancellationToken ct)
    {
        var workloadId = training.WorkloadId!;
        var log = logs.Open(TrainingPaths.Log(training.Id));
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task? pump = null;
        try
        {
            WorkloadStatus? last = null;
            await foreach (var status in manager.WatchAsync(workloadId, ct))
            {
                // Output is read once the work has started (engines keep it from the start), so nothing watches a pending workload twice.
                pump ??= status.State == WorkloadState.Pending ? null : PumpAsync(workloadId, log, reading.Token);
                if (!status.IsFinal) await ShowAsync(training.Id, status, ct);
                last = status;
            }
            if (pump is not null)
            {
                try { await pump.WaitAsync(LogDrain, ct); }
                catch (TimeoutException) { await reading.CancelAsync(); }
            }
            await CompleteAsync(training, last ?? new WorkloadStatus(WorkloadState.Missing), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            logger.LogInformation("Stopped following training {Training}; it is reconciled at the next start", training.Name);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Following training {Training} failed", training.Name);
            await FinishAsync(training, TaskState.Failed, $"The portal lost track of this training: {e.Message}", null, CancellationToken.None);
        }
        finally
        {
            await reading.CancelAsync();
            if (pump is not null) await pump;
            _watches.TryRemove(training.Id, out _);
        }
    }

    private Task PumpAsync(string workloadId, TaskLog log, CancellationToken ct) => Task.Run(async () =>
    {
        try { await foreach (var line in manager.ReadLogsAsync(workloadId, follow: true, ct)) log.Append(line); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (ContainerManagerException e) { logger.LogWarning("The log of {Workload} broke off: {Message}", workloadId, e.Message); }
    }, CancellationToken.None);

    /// <summary>WAITING with the engine's reason while the workload is pending (no image, no room), RUNNING once it runs.</summary>
    private Task<Training> ShowAsync(long id, WorkloadStatus status, CancellationToken ct) => UpdateAsync(id, t =>
    {
        if (t.Task.State is not (TaskState.Waiting or TaskState.Running)) return;
        var now = Now;
        t.Task = status.State == WorkloadState.Running
            ? t.Task with { State = TaskState.Running, Message = null, StartTime = t.Task.StartTime ?? now, UpdateTime = now }
            : t.Task with { State = TaskState.Waiting, Message = status.Message, UpdateTime = now };
    }, ct);

    private async Task CompleteAsync(Training training, WorkloadStatus status, CancellationToken ct)
    {
        var failure = await results.CollectAsync(training.Id, ct);
        var cancelled = (await trainings.GetAsync(training.Id, ct) ?? training).CancelRequested;
        var (state, message) = status.State switch
        {
            _ when cancelled => (TaskState.Cancelled, "Cancelled on request."),
            WorkloadState.Succeeded => (TaskState.Finished, null),
            WorkloadState.Stopped => (TaskState.Cancelled, status.Message ?? "Stopped."),
            _ when failure is not null => (TaskState.Failed, failure.CellIndex is { } i
                ? $"Cell {i} failed: {failure.Ename}: {failure.Evalue}"
                : $"The notebook could not be run: {failure.Ename}: {failure.Evalue}"),
            _ => (TaskState.Failed, status.Message ?? "The run failed."),
        };
        await FinishAsync(training, state, message, failure, ct);
        if (training.WorkloadId is not null)
        {
            try { await manager.RemoveAsync(training.WorkloadId, ct); }
            catch (ContainerManagerException e) { logger.LogWarning("Could not remove {Workload}: {Message}", training.WorkloadId, e.Message); }
        }
        results.DeleteWorkspace(training.Id);
    }

    private async Task FinishAsync(Training training, TaskState state, string? message, TrainingFailure? failure, CancellationToken ct)
    {
        await logs.PersistAndCloseAsync(TrainingPaths.Log(training.Id), ct);
        await UpdateAsync(training.Id, t =>
        {
            t.Task = t.Task with { State = state, Message = message, Progress = state == TaskState.Finished ? 1 : t.Task.Progress, UpdateTime = Now };
            t.Failure = failure;
        }, ct);
        logger.LogInformation("Training {Training} of {Project} ended {State}{Message}", training.Name, training.Project?.Name, state, message is null ? "" : $": {message}");
    }

    public void Dispose() => _writes.Dispose();
}
