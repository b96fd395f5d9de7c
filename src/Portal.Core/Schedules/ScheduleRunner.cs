using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Notifications;
using Portal.Core.Security;
using Portal.Core.Stores;
using Portal.Core.Trainings;

namespace Portal.Core.Schedules;

/// <summary>
/// The one owner of schedules' timing: it alone writes a schedule's next and last run and its history. It sleeps until
/// the earliest schedule is due (or a schedule changes), then launches each due one's run with the rights of its creator,
/// unless its last run is still going and it does not allow overlap. The next time is saved before the launch, so a
/// restart never starts a run twice; a time missed while the portal was down is run once when it comes back.
/// Its clock is the keyed <see cref="ClockKey"/> time provider (the system's, unless a test controls it).
/// </summary>
public sealed class ScheduleRunner(IScheduleStore schedules, ITrainingStore trainings, IDatasetStore datasets, TrainingService launcher,
    ChangeFeed<TrainingSchedule> feed, [FromKeyedServices(ScheduleRunner.ClockKey)] TimeProvider clock, ILogger<ScheduleRunner> logger) : IDisposable
{
    public const string ClockKey = "schedules";
    /// <summary>The longest sleep: a clock changed under the portal (or a missed wake) is noticed within it.</summary>
    private static readonly TimeSpan LongestSleep = TimeSpan.FromMinutes(5);
    private readonly SemaphoreSlim _writes = new(1, 1);
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TimeProvider Clock => clock;

    /// <summary>The schedule's next time after <paramref name="from"/>, in UTC.</summary>
    public static DateTime? NextAfter(TrainingSchedule s, DateTime from) =>
        ScheduleCron.Parse(s.Cron).GetNextOccurrence(DateTime.SpecifyKind(from, DateTimeKind.Utc), ScheduleCron.Zone(s.TimeZone));

    /// <summary>Runs until <paramref name="stopping"/>: each round runs what is due, then sleeps until the next is.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var wake = Volatile.Read(ref _wake);
            DateTime? next = null;
            try { next = await RunDueAsync(stopping); }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested) { return; }
            catch (Exception e) { logger.LogError(e, "Running the due schedules failed; trying again shortly"); next = Now.AddSeconds(30); }
            var sleep = next is { } n ? n - Now : LongestSleep;
            if (sleep > LongestSleep) sleep = LongestSleep;
            if (sleep > TimeSpan.Zero)
            {
                try { await Task.WhenAny(Task.Delay(sleep, clock, stopping), wake.Task); }
                catch (OperationCanceledException) { return; }
            }
            if (wake.Task.IsCompleted) Interlocked.CompareExchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), wake);
            if (stopping.IsCancellationRequested) return;
        }
    }

    /// <summary>Wakes the loop: a schedule was added, changed, paused or resumed.</summary>
    public void Wake() => Volatile.Read(ref _wake).TrySetResult();

    /// <summary>Runs every schedule that is due now; returns when the next one is due.</summary>
    public async Task<DateTime?> RunDueAsync(CancellationToken ct)
    {
        var now = Now;
        DateTime? next = null;
        foreach (var schedule in await schedules.ListActiveAsync(ct))
        {
            var at = schedule.NextRunAt;
            if (at is { } due && due <= now)
            {
                try { at = (await FireAsync(schedule.Id, now, ct))?.NextRunAt; }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "The schedule {Schedule} could not run; trying again at the next round", schedule.Name);
                    at = now.AddSeconds(30);
                }
            }
            if (at is { } a && (next is null || a < next)) next = a;
        }
        return next;
    }

    /// <summary>Adds a schedule, due at its next time from now.</summary>
    public async Task<TrainingSchedule> AddAsync(TrainingSchedule schedule, CancellationToken ct)
    {
        await _writes.WaitAsync(ct);
        try
        {
            schedule.NextRunAt = schedule.Paused ? null : NextAfter(schedule, Now);
            var added = await schedules.AddAsync(schedule, ct);
            feed.Publish(added);
            Wake();
            return added;
        }
        finally { _writes.Release(); }
    }

    /// <summary>Deletes a schedule; the runs it launched stay.</summary>
    public async Task DeleteAsync(long id, CancellationToken ct)
    {
        await _writes.WaitAsync(ct);
        try { await schedules.DeleteAsync(id, ct); }
        finally { _writes.Release(); }
        Wake();
    }

    /// <summary>Sets when a new or resumed schedule is next due, from now; or clears it when paused. Saves and wakes the loop.</summary>
    public async Task<TrainingSchedule> SaveAsync(long id, Action<TrainingSchedule> change, CancellationToken ct)
    {
        await _writes.WaitAsync(ct);
        try
        {
            var now = Now;
            var saved = await schedules.MutateAsync(id, s =>
            {
                change(s);
                s.NextRunAt = s.Paused ? null : NextAfter(s, now);
            }, ct);
            feed.Publish(saved);
            Wake();
            return saved;
        }
        finally { _writes.Release(); }
    }

    private async Task<TrainingSchedule?> FireAsync(long id, DateTime now, CancellationToken ct)
    {
        await _writes.WaitAsync(ct);
        try
        {
            var schedule = await schedules.GetAsync(id, ct);
            if (schedule is null || schedule.Paused || schedule.NextRunAt is not { } due || due > now) return schedule;
            var last = schedule.LastTrainingId is { } lastId ? await trainings.GetAsync(lastId, ct) : null;
            var project = schedule.Project!.Name;
            var runName = RunName(schedule, due);
            // The next time is saved first: a crash during the launch loses this run rather than starting it twice.
            schedule = await schedules.MutateAsync(id, s => (s.NextRunAt, s.LastRunAt) = (NextAfter(s, now), now), ct);
            ScheduleFire fire;
            long? launched = null;
            if (!schedule.AllowOverlap && last is { Task.State: TaskState.Waiting or TaskState.Running })
                fire = new ScheduleFire(due, ScheduleOutcome.Skipped, null, $"{last.Name} is still {last.Task.State.ToString().ToUpperInvariant()}.");
            else
            {
                try
                {
                    var newest = schedule.NewestDatasetOf is { } model ? await datasets.NewestAsync(model, ct) : null;
                    if (schedule.NewestDatasetOf is { } m && newest is null)
                        throw new ConflictException($"The model '{m}' has no stored dataset to train on.");
                    using (ActorContext.Use(new Actor(schedule.Owner, schedule.OwnerRoles, null)))
                    {
                        var input = TrainingInput.From(schedule.Template, project, runName, schedule.Template.Parameters,
                            newest is null ? null : [$"{newest.Model!.Name}/{newest.Name}"]);
                        var run = await launcher.LaunchAsync(input, new TrainingOrigin(ScheduleId: schedule.Id), ct);
                        launched = run.Id;
                        fire = new ScheduleFire(due, ScheduleOutcome.Started, run.Name, newest is null ? null : $"On {newest.Model!.Name}/{newest.Name}.");
                    }
                }
                catch (PortalException e)
                {
                    fire = new ScheduleFire(due, ScheduleOutcome.Refused, null, (e as ValidationFailedException)?.ByField ?? e.Message);
                }
            }
            var saved = await schedules.MutateAsync(id, s =>
            {
                if (launched is not null) s.LastTrainingId = launched;
                s.History = [fire, .. s.History.Take(TrainingSchedule.MaxHistory - 1)];
            }, ct);
            feed.Publish(saved);
            return saved;
        }
        finally { _writes.Release(); }
    }

    /// <summary>A run is named after its schedule and due time (minutes are a cron's resolution), e.g. nightly-20261202-0300.</summary>
    public static string RunName(TrainingSchedule s, DateTime due) =>
        $"{s.Name}-{due.ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture)}";

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public void Dispose() => _writes.Dispose();
}
