using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Logs;
using Portal.Core.Storage;
using Portal.Core.Stores;

namespace Portal.Core.Services;

/// <summary>
/// Follows every running training: streams its output into the log book, polls its status, and when it ends
/// stores the executed notebook, its HTML and the log in the file store, records FINISHED / FAILED (with the
/// failing cell) / CANCELLED, and removes the workload. After a portal restart, <see cref="ReconcileAsync"/>
/// re-attaches to workloads still running and fails those that vanished, saying why.
/// </summary>
public sealed class TrainingSupervisor(
    ITrainingStore trainings, IContainerManager manager, TaskLogBook logs, TrainingWorkspace workspace, IFileStore files,
    TimeProvider clock, ILogger<TrainingSupervisor> logger) : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly ConcurrentDictionary<long, Task> _watches = new();
    private CancellationToken _stopping = CancellationToken.None;

    /// <summary>Called once by the host; the token ends every watch when the portal shuts down (runs keep going).</summary>
    public void Start(CancellationToken stopping) => _stopping = stopping;

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
                logs.Open(TrainingService.LogKey(training.Id));
                await CompleteAsync(training, status, ct);
            }
            else
            {
                logger.LogInformation("Re-attaching to training {Training} ({Workload}), {State}", training.Name, training.WorkloadId, status.State);
                Watch(training);
            }
        }
    }

    public void Watch(Training training) =>
        _watches[training.Id] = Task.Run(() => FollowAsync(training, _stopping), CancellationToken.None);

    /// <summary>Waits for the watches to end (tests, shutdown).</summary>
    public Task WhenIdleAsync() => Task.WhenAll(_watches.Values);

    /// <summary>Changes a training under the supervisor's lock, so reports and state changes never overwrite each other.</summary>
    public async Task<Training> UpdateAsync(long id, Action<Training> change, CancellationToken ct)
    {
        await _writes.WaitAsync(ct);
        try { return await trainings.MutateAsync(id, change, ct); }
        finally { _writes.Release(); }
    }

    private async Task FollowAsync(Training training, CancellationToken ct)
    {
        var workloadId = training.WorkloadId!;
        var log = logs.Open(TrainingService.LogKey(training.Id));
        try
        {
            var pump = Task.Run(async () =>
            {
                await foreach (var line in manager.ReadLogsAsync(workloadId, follow: true, ct)) log.Append(line);
            }, ct);
            WorkloadStatus status;
            WorkloadStatus? shown = null;
            while (!(status = await manager.GetStatusAsync(workloadId, ct)).IsFinal)
            {
                if (shown is null || shown.State != status.State || shown.Message != status.Message)
                    await ShowAsync(training.Id, status, ct);
                shown = status;
                await Task.Delay(PollInterval, clock, ct);
            }
            // The engine may deliver the last lines a moment after the exit.
            try { await pump.WaitAsync(TimeSpan.FromSeconds(10), ct); }
            catch (TimeoutException) { logger.LogWarning("The log of {Workload} did not end 10 s after it exited", workloadId); }
            await CompleteAsync(training, status, ct);
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
            _watches.TryRemove(training.Id, out _);
        }
    }

    /// <summary>WAITING with the engine's reason while the workload is pending (no image, no room), RUNNING once it runs.</summary>
    private Task<Training> ShowAsync(long id, WorkloadStatus status, CancellationToken ct) => UpdateAsync(id, t =>
    {
        if (t.Task.State is not (TaskState.Waiting or TaskState.Running)) return;
        var now = clock.GetUtcNow().UtcDateTime;
        t.Task = status.State == WorkloadState.Running
            ? t.Task with { State = TaskState.Running, Message = null, StartTime = t.Task.StartTime ?? now, UpdateTime = now }
            : t.Task with { State = TaskState.Waiting, Message = status.Message, UpdateTime = now };
    }, ct);

    private async Task CompleteAsync(Training training, WorkloadStatus status, CancellationToken ct)
    {
        var dir = workspace.DirectoryFor(training.Id);
        var failure = ReadFailure(Path.Combine(dir, TrainingWorkspace.FailureFile));
        await StoreIfPresentAsync(Path.Combine(dir, TrainingWorkspace.Output), TrainingService.NotebookKey, training.Id, ct);
        await StoreIfPresentAsync(Path.Combine(dir, TrainingWorkspace.OutputHtml), TrainingService.HtmlKey, training.Id, ct);

        var current = await trainings.GetAsync(training.Id, ct) ?? training;
        var (state, message) = status.State switch
        {
            _ when current.CancelRequested => (TaskState.Cancelled, "Cancelled on request."),
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
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    private async Task FinishAsync(Training training, TaskState state, string? message, TrainingFailure? failure, CancellationToken ct)
    {
        await logs.PersistAndCloseAsync(TrainingService.LogKey(training.Id), ct);
        await UpdateAsync(training.Id, t =>
        {
            t.Task = t.Task with
            {
                State = state,
                Message = message,
                Progress = state == TaskState.Finished ? 1 : t.Task.Progress,
                UpdateTime = clock.GetUtcNow().UtcDateTime,
            };
            t.Failure = failure;
        }, ct);
        logger.LogInformation("Training {Training} of {Project} ended {State}{Message}", training.Name, training.Project?.Name, state, message is null ? "" : $": {message}");
    }

    private async Task StoreIfPresentAsync(string path, string name, long id, CancellationToken ct)
    {
        if (!File.Exists(path)) return;
        await using var source = File.OpenRead(path);
        await files.SaveAsync($"{TrainingService.StorageKey(id)}/{name}", source, null, ct);
    }

    private TrainingFailure? ReadFailure(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var r = doc.RootElement;
            return new TrainingFailure(
                r.TryGetProperty("cell_index", out var i) && i.ValueKind == JsonValueKind.Number ? i.GetInt32() : null,
                r.TryGetProperty("source", out var s) ? s.GetString() : null,
                r.GetProperty("ename").GetString() ?? "Error",
                r.GetProperty("evalue").GetString() ?? "",
                r.TryGetProperty("traceback", out var tb) ? tb.EnumerateArray().Select(l => l.GetString() ?? "").ToList() : []);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            logger.LogWarning("Unreadable {Path}: {Message}", path, e.Message);
            return null;
        }
    }

    public void Dispose() => _writes.Dispose();
}
