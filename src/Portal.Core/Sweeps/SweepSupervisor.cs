using System.Text.Json;
using Microsoft.Extensions.Logging;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Notifications;
using Portal.Core.Security;
using Portal.Core.Stores;
using Portal.Core.Trainings;

namespace Portal.Core.Sweeps;

/// <summary>
/// The one owner of a sweep's state: it alone writes a sweep's row and publishes each change. It launches trials while
/// fewer than the sweep's maximum run, with the rights of the user who created the sweep (never more), keeps the best run
/// so far, and ends the sweep when every trial has ended, when one reaches the target (cancelling the rest) or when a user
/// stops it. It advances a sweep when one of its trials ends (the trainings' change feed) and, in case an event was missed
/// or the engine was not ready, at every reconcile round of the host; after a restart it picks up where the store says.
/// </summary>
public sealed class SweepSupervisor(ISweepStore sweeps, ITrainingStore trainings, TrainingService launcher,
    ChangeFeed<Training> trainingFeed, ChangeFeed<Sweep> feed, TimeProvider clock, ILogger<SweepSupervisor> logger) : IDisposable
{
    private readonly SemaphoreSlim _writes = new(1, 1);
    private IDisposable? _subscription;

    /// <summary>Called once by the host: from now on a trial's end advances its sweep.</summary>
    public void Start(CancellationToken stopping) =>
        _subscription = trainingFeed.Subscribe(t => t.SweepId is not null && t.Task.State is not (TaskState.Waiting or TaskState.Running),
            t => AdvanceAsync(t.SweepId!.Value, stopping));

    public async Task<Sweep> AddAsync(Sweep sweep, CancellationToken ct)
    {
        sweep.CreatedAt = clock.GetUtcNow().UtcDateTime;
        sweep.State = SweepState.Running;
        var added = await sweeps.AddAsync(sweep, ct);
        feed.Publish(added);
        return await AdvanceAsync(added.Id, ct) ?? added;
    }

    /// <summary>Advances every running sweep (the host's reconcile round, and once at start).</summary>
    public async Task AdvanceAllAsync(CancellationToken ct)
    {
        foreach (var sweep in await sweeps.ListRunningAsync(ct))
        {
            try { await AdvanceAsync(sweep.Id, ct); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Advancing the sweep {Sweep} failed; trying again at the next round", sweep.Name);
            }
        }
    }

    /// <summary>Ends a running sweep at a user's request and cancels its trials still going.</summary>
    public async Task<Sweep> StopAsync(long id, string reason, CancellationToken ct)
    {
        await _writes.WaitAsync(ct);
        try
        {
            var sweep = await sweeps.GetAsync(id, ct) ?? throw new NotFoundException("sweep", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (sweep.State != SweepState.Running)
                throw new ConflictException($"The sweep '{sweep.Name}' is {sweep.State.ToString().ToUpperInvariant()}; only a running sweep can be stopped.");
            var runs = await trainings.ListBySweepAsync(id, ct);
            return await EndAsync(sweep, runs, SweepState.Stopped, reason, ct);
        }
        finally { _writes.Release(); }
    }

    /// <summary>Updates the best run, then ends the sweep or launches trials up to its maximum running at once.</summary>
    public async Task<Sweep?> AdvanceAsync(long id, CancellationToken ct)
    {
        await _writes.WaitAsync(ct);
        try
        {
            var sweep = await sweeps.GetAsync(id, ct);
            if (sweep is not { State: SweepState.Running }) return sweep;
            var runs = (await trainings.ListBySweepAsync(id, ct)).ToList();
            var best = Best(sweep, runs);
            if (best is { } b && sweep.Target is { } target && Reaches(sweep.Direction, b.Value, target))
                return await EndAsync(sweep, runs, SweepState.Stopped,
                    $"The target {sweep.Objective} {(sweep.Direction == SweepDirection.Maximize ? "≥" : "≤")} {target} was reached by {b.Run.Name} ({b.Value}).", ct);

            var launched = Math.Max(sweep.Launched, runs.Count);
            string? waiting = null;
            while (runs.Count(Active) < sweep.MaxParallel && launched < sweep.Trials.Count)
            {
                var (run, problem, transient) = await LaunchAsync(sweep, launched, ct);
                if (transient)
                {
                    waiting = problem;
                    break;
                }
                if (run is null)
                    return await EndAsync(sweep, runs, SweepState.Failed, $"Trial {launched + 1} could not be launched: {problem}", ct);
                runs.Add(run);
                launched++;
            }
            if (launched >= sweep.Trials.Count && !runs.Any(Active))
                return await EndAsync(sweep, runs, SweepState.Finished, best is { } done
                    ? $"All {runs.Count} trials ended; the best is {done.Run.Name} ({sweep.Objective} {done.Value})."
                    : $"All {runs.Count} trials ended; none reported '{sweep.Objective}'.", ct);
            return await SaveAsync(sweep.Id, s =>
            {
                s.Launched = launched;
                s.Message = waiting;
                Remember(s, best);
            }, ct);
        }
        finally { _writes.Release(); }
    }

    /// <summary>
    /// Launches trial <paramref name="index"/> as the sweep's owner. A refusal before admission because the engine is not
    /// ready is transient (tried again next round); a refused launch (a dataset removed, a name taken) fails the sweep; a
    /// trial admitted but not started is a failed trial and the sweep goes on.
    /// </summary>
    private async Task<(Training? Run, string? Problem, bool Transient)> LaunchAsync(Sweep sweep, int index, CancellationToken ct)
    {
        var project = sweep.Project!.Name;
        var name = sweep.TrialName(index + 1);
        var parameters = new Dictionary<string, JsonElement>(sweep.Template.Parameters);
        foreach (var (k, v) in sweep.Trials[index]) parameters[k] = v;
        try
        {
            using (ActorContext.Use(new Actor(sweep.Owner, sweep.OwnerRoles, null)))
            {
                var input = TrainingInput.From(sweep.Template, project, name, parameters);
                return (await launcher.LaunchAsync(input, new TrainingOrigin(SweepId: sweep.Id), ct), null, false);
            }
        }
        catch (ValidationFailedException e) { return (null, e.ByField, false); }
        catch (PortalException e)
        {
            if (await trainings.FindAsync(project, name, ct) is { } admitted) return (admitted, null, false);
            return (null, e.Message, e is ConflictException);
        }
    }

    private async Task<Sweep> EndAsync(Sweep sweep, IReadOnlyList<Training> runs, SweepState state, string message, CancellationToken ct)
    {
        foreach (var run in runs.Where(Active))
        {
            try { await launcher.CancelAsync(sweep.Project!.Name, run.Name, ct); }
            catch (ConflictException) { }
        }
        var best = Best(sweep, runs);
        return await SaveAsync(sweep.Id, s =>
        {
            s.State = state;
            s.Message = message;
            s.EndedAt = clock.GetUtcNow().UtcDateTime;
            s.Launched = Math.Max(s.Launched, runs.Count);
            Remember(s, best);
        }, ct);
    }

    private async Task<Sweep> SaveAsync(long id, Action<Sweep> change, CancellationToken ct)
    {
        var saved = await sweeps.MutateAsync(id, change, ct);
        feed.Publish(saved);
        return saved;
    }

    private static void Remember(Sweep s, (Training Run, double Value)? best) =>
        (s.BestTrainingId, s.BestTrainingName, s.BestValue) = best is { } b ? (b.Run.Id, b.Run.Name, b.Value) : ((long?)null, (string?)null, (double?)null);

    private static bool Active(Training t) => t.Task.State is TaskState.Waiting or TaskState.Running;

    /// <summary>The finished trial with the best objective (the earliest of equals), if any reported it.</summary>
    public static (Training Run, double Value)? Best(Sweep sweep, IEnumerable<Training> runs)
    {
        var scored = runs.Where(r => r.Task.State == TaskState.Finished && r.Metrics.TryGetValue(sweep.Objective, out var v) && double.IsFinite(v))
            .Select(r => (Run: r, Value: r.Metrics[sweep.Objective])).ToList();
        if (scored.Count == 0) return null;
        return sweep.Direction == SweepDirection.Maximize
            ? scored.OrderByDescending(s => s.Value).ThenBy(s => s.Run.Id).First()
            : scored.OrderBy(s => s.Value).ThenBy(s => s.Run.Id).First();
    }

    private static bool Reaches(SweepDirection direction, double value, double target) =>
        direction == SweepDirection.Maximize ? value >= target : value <= target;

    public void Dispose()
    {
        _subscription?.Dispose();
        _writes.Dispose();
    }
}
