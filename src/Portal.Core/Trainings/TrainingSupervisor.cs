using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Logs;
using Portal.Core.Notifications;
using Portal.Core.Security;
using Portal.Core.Stores;

namespace Portal.Core.Trainings;

/// <summary>
/// The one owner of a training's state: it alone writes a training's row, from admission to its end, and publishes
/// each change once on the <see cref="ChangeFeed{T}"/> (pages and streams subscribe; nobody polls the store). It follows
/// every started training through the manager's one watch: the output into the log book once the work runs, WAITING
/// with the engine's reason or RUNNING while it lasts, and at the end the results stored, FINISHED / FAILED (with the
/// failing cell) / CANCELLED recorded and the workload removed. An engine that cannot be reached ends nothing: the
/// training keeps its state with an "engine unreachable since" mark while the supervisor asks again with back-off, and
/// only after <c>container_manager.give_up_minutes</c> is it given up (and adopted again if its work turns up). After a
/// restart, <see cref="ReconcileAsync"/> re-attaches to work still running and ends what vanished, saying why.
/// </summary>
public sealed class TrainingSupervisor(
    ITrainingStore trainings, IContainerManager manager, TaskLogBook logs, TrainingResults results, ChangeFeed<Training> feed,
    IMetricStore series, ChangeFeed<MetricSteps> seriesFeed, AuditLog audit, PortalEvents events, PortalConfig config, TimeProvider clock, ILogger<TrainingSupervisor> logger) : IDisposable
{
    private TimeSpan GiveUpAfter => TimeSpan.FromMinutes(config.ContainerManager.GiveUpMinutes);
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

    /// <summary>
    /// Progress, metrics and points of their series from the running notebook: a report proves it runs, whatever the engine
    /// said last. The points are stored and published for the pages drawing the curves.
    /// </summary>
    public async Task<Training> ReportAsync(long id, double? progress, IReadOnlyDictionary<string, double>? metrics, IReadOnlyList<MetricStep> points,
        CancellationToken ct)
    {
        var training = await ReportAsync(id, progress, metrics, ct);
        if (points.Count == 0) return training;
        var at = Now;
        foreach (var p in points) (p.TrainingId, p.At) = (id, at);
        await series.AddAsync(points, ct);
        seriesFeed.Publish(new MetricSteps(id, points));
        return training;
    }

    private Task<Training> ReportAsync(long id, double? progress, IReadOnlyDictionary<string, double>? metrics, CancellationToken ct) =>
        UpdateAsync(id, t =>
        {
            if (t.Task.State is not (TaskState.Running or TaskState.Waiting)) return;
            var now = Now;
            t.Task = t.Task with { State = TaskState.Running, Message = null, StartTime = t.Task.StartTime ?? now, Progress = progress ?? t.Task.Progress, UpdateTime = now };
            var merged = new Dictionary<string, double>(t.Metrics);
            foreach (var (k, v) in metrics ?? new Dictionary<string, double>()) merged[k] = v;
            t.Metrics = merged;
        }, ct);

    /// <summary>At start: follow every training that was running (a watch ends at once what vanished, saying why).</summary>
    public async Task ReconcileAsync(CancellationToken ct)
    {
        foreach (var training in await trainings.ListActiveAsync(ct))
        {
            if (training.WorkloadId is null)
            {
                await FinishAsync(training, TaskState.Failed, "The portal stopped before this training was started.", null, null, ct);
                continue;
            }
            logger.LogInformation("Re-attaching to training {Training} ({Workload})", training.Name, training.WorkloadId);
            Watch(training);
        }
    }

    /// <summary>Whether this supervisor follows the training now.</summary>
    public bool IsFollowing(long id) => _watches.ContainsKey(id);

    /// <summary>
    /// A workload of this training is on the engine although this supervisor does not follow it: a given-up training is
    /// corrected (RUNNING again, audited) and followed to its truthful end. True when the workload belongs to a run that
    /// is still going (adopted now, or followed by another portal process on the same store); false when the run ended.
    /// </summary>
    public async Task<bool> AdoptAsync(Training training, string workloadId, CancellationToken ct)
    {
        if (IsFollowing(training.Id) || training.WorkloadId != workloadId) return false;
        if (training.Task.GivenUp)
        {
            var adopted = await UpdateAsync(training.Id, t => t.Task = t.Task with
            {
                State = TaskState.Running, Message = "Picked up again: the engine came back with this training's work.",
                EngineUnreachableSince = null, UpdateTime = Now,
            }, ct);
            await audit.RecordAsync("training.adopt", $"{training.Project?.Name}/{training.Name}", AuditOutcome.Succeeded,
                $"Given up while the engine was unreachable; its workload {workloadId} was found again, so the training was corrected and followed.",
                ct, Reconciler);
            Watch(adopted);
            return true;
        }
        // An active training this supervisor does not follow is another portal process's (one data directory): not ours to take.
        return training.Task.State is TaskState.Waiting or TaskState.Running;
    }

    /// <summary>Who the audit log names for what the portal corrects on its own.</summary>
    public static readonly Actor Reconciler = new("portal (reconciler)", [], null);

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
        var outage = new EngineOutage(clock, GiveUpAfter);
        await using var output = new TrainingOutput(manager, workloadId, logs.Open(TrainingPaths.Log(training.Id)), logger);
        try
        {
            WorkloadStatus? last = null;
            while (true)
            {
                try
                {
                    await foreach (var status in manager.WatchAsync(workloadId, ct))
                    {
                        if (outage.Since is not null) await ReachableAgainAsync(training, outage, ct);
                        // Output is read once the work has started (engines keep it from the start), so nothing watches a pending workload twice.
                        if (status.State != WorkloadState.Pending) output.Resume();
                        if (!status.IsFinal) await ShowAsync(training.Id, status, ct);
                        last = status;
                    }
                    break;
                }
                catch (EngineUnreachableException e)
                {
                    // Unreachable is not failed: keep the last known state, say since when, ask again with back-off.
                    if (outage.Begin(e.Message)) await MarkUnreachableAsync(training, outage.Since!.Value, e.Message, ct);
                    if (outage.Exhausted)
                    {
                        await GiveUpAsync(training, outage, ct);
                        return;
                    }
                    await Task.Delay(outage.NextDelay(), clock, ct);
                }
            }
            await output.DrainAsync(LogDrain, ct);
            var end = last ?? new WorkloadStatus(WorkloadState.Missing);
            await CompleteAsync(training, end, OutageNote(end, outage.Previous), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            logger.LogInformation("Stopped following training {Training}; it is reconciled at the next start", training.Name);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Following training {Training} failed", training.Name);
            await FinishAsync(training, TaskState.Failed, $"The portal lost track of this training: {e.Message}", null, null, CancellationToken.None);
        }
        finally
        {
            _watches.TryRemove(training.Id, out _);
        }
    }

    /// <summary>
    /// Work that failed while the engine was away says so, whatever else the run reported (a notebook whose kernel the
    /// engine's stop killed reports that as its failure): an engine stop ends its containers (unless live-restore).
    /// </summary>
    private static string? OutageNote(WorkloadStatus status, (DateTime From, DateTime To)? outage) =>
        status.State is WorkloadState.Failed or WorkloadState.Missing && outage is { } o
            ? $"It ended while the engine was unreachable ({o.From:u} to {o.To:u}): an engine that stops ends its containers unless it runs with live-restore."
            : null;

    private Task<Training> MarkUnreachableAsync(Training training, DateTime since, string reason, CancellationToken ct)
    {
        logger.LogWarning("The engine of training {Training} is unreachable; keeping its state and asking again: {Reason}", training.Name, reason);
        return UpdateAsync(training.Id, t =>
        {
            if (t.Task.State is TaskState.Waiting or TaskState.Running) t.Task = t.Task with { EngineUnreachableSince = since, UpdateTime = Now };
        }, ct);
    }

    private async Task ReachableAgainAsync(Training training, EngineOutage outage, CancellationToken ct)
    {
        logger.LogInformation("The engine of training {Training} answers again after {Seconds:0} s", training.Name, outage.Duration.TotalSeconds);
        outage.End();
        await UpdateAsync(training.Id, t => t.Task = t.Task with { EngineUnreachableSince = null, UpdateTime = Now }, ct);
    }

    /// <summary>
    /// FAILED because the engine stayed unreachable, saying so; the mark stays, so a workload that turns up later is
    /// picked up again (<see cref="AdoptAsync"/>). The workspace is kept for that.
    /// </summary>
    private async Task GiveUpAsync(Training training, EngineOutage outage, CancellationToken ct)
    {
        await logs.PersistAndCloseAsync(TrainingPaths.Log(training.Id), ct);
        var message = $"The engine could not be reached for {outage.Duration.TotalMinutes:0.#} min (since {outage.Since:u}; " +
                      $"container_manager.give_up_minutes), so the portal gave up on this training: {outage.Reason} If the engine comes " +
                      "back with its work, the portal picks it up again.";
        await UpdateAsync(training.Id, t =>
        {
            if (t.Task.State is TaskState.Waiting or TaskState.Running)
                t.Task = t.Task with { State = TaskState.Failed, Message = message, UpdateTime = Now };
        }, ct);
        logger.LogWarning("Gave up training {Training}: {Message}", training.Name, message);
    }

    /// <summary>WAITING with the engine's reason while the workload is pending (no image, no room), RUNNING once it runs.</summary>
    private Task<Training> ShowAsync(long id, WorkloadStatus status, CancellationToken ct) => UpdateAsync(id, t =>
    {
        if (t.Task.State is not (TaskState.Waiting or TaskState.Running)) return;
        var now = Now;
        t.Task = status.State == WorkloadState.Running
            ? t.Task with { State = TaskState.Running, Message = null, StartTime = t.Task.StartTime ?? now, UpdateTime = now }
            : t.Task with { State = TaskState.Waiting, Message = status.Message, UpdateTime = now };
    }, ct);

    private async Task CompleteAsync(Training training, WorkloadStatus status, string? outageNote, CancellationToken ct)
    {
        var cancelled = (await trainings.GetAsync(training.Id, ct) ?? training).CancelRequested;
        var collected = await results.CollectAsync(training, !cancelled && status.State == WorkloadState.Succeeded, ct);
        var failure = collected.Failure;
        var (state, message) = status.State switch
        {
            _ when cancelled => (TaskState.Cancelled, "Cancelled on request."),
            WorkloadState.Succeeded when collected.ScoredProblem is { } problem => (TaskState.Failed, problem),
            WorkloadState.Succeeded => (TaskState.Finished, null),
            WorkloadState.Stopped => (TaskState.Cancelled, status.Message ?? "Stopped."),
            _ when failure is not null => (TaskState.Failed, failure.CellIndex is { } i
                ? $"Cell {i} failed: {failure.Ename}: {failure.Evalue}"
                : $"The notebook could not be run: {failure.Ename}: {failure.Evalue}"),
            _ => (TaskState.Failed, status.Message ?? "The run failed."),
        };
        if (state == TaskState.Failed && outageNote is not null) message = $"{message} {outageNote}";
        await FinishAsync(training, state, message, failure, collected.ScoredDatasetId, ct);
        if (training.WorkloadId is not null)
        {
            try { await manager.RemoveAsync(training.WorkloadId, ct); }
            catch (ContainerManagerException e) { logger.LogWarning("Could not remove {Workload}: {Message}", training.WorkloadId, e.Message); }
        }
        results.DeleteWorkspace(training.Id);
    }

    private async Task FinishAsync(Training training, TaskState state, string? message, TrainingFailure? failure, long? scoredDatasetId,
        CancellationToken ct)
    {
        await logs.PersistAndCloseAsync(TrainingPaths.Log(training.Id), ct);
        await UpdateAsync(training.Id, t =>
        {
            t.Task = t.Task with { State = state, Message = message, Progress = state == TaskState.Finished ? 1 : t.Task.Progress, UpdateTime = Now };
            t.Failure = failure;
            t.ScoredDatasetId = scoredDatasetId ?? t.ScoredDatasetId;
        }, ct);
        if (state is TaskState.Finished or TaskState.Failed)
            events.Publish(state == TaskState.Finished ? PortalEvent.TrainingFinished : PortalEvent.TrainingFailed,
                $"training {training.Project?.Name}/{training.Name}", new { project = training.Project?.Name, training = training.Name, kind = training.Kind.ToString().ToLowerInvariant(), message });
        logger.LogInformation("Training {Training} of {Project} ended {State}{Message}", training.Name, training.Project?.Name, state, message is null ? "" : $": {message}");
    }

    public void Dispose() => _writes.Dispose();
}
