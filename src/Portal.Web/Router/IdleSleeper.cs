using System.Collections.Concurrent;
using Portal.Core.Containers;
using Portal.Core.Deployments;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Notifications;

namespace Portal.Web.Router;

/// <summary>
/// Scale to zero, the sleeping half: remembers when each deployment last got a request through the router, and puts to
/// sleep those with <c>idle_minutes</c> that have had none for that long (since the request, their wake-up or this
/// portal's start). It reads the candidates when the next one is due, when a deployment changes, and at least every half
/// minute; never on a fixed short tick. <see cref="ColdStarts"/> is the waking half.
/// </summary>
public sealed class IdleSleeper(DeploymentService deployments, ChangeFeed<Deployment> changes, TimeProvider clock, ILogger<IdleSleeper> logger)
    : BackgroundService
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MinWait = TimeSpan.FromMilliseconds(200);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastRequest = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _started = clock.GetUtcNow();
    private readonly SemaphoreSlim _changed = new(0);

    /// <summary>A request for <paramref name="deployment"/> came now.</summary>
    public void Touch(string deployment) => _lastRequest[deployment] = clock.GetUtcNow();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A deployment made, woken or given idle minutes may be due before the current wait ends.
        using var subscription = changes.Subscribe(d => d.IdleMinutes is not null, _ =>
        {
            if (_changed.CurrentCount == 0) _changed.Release();
            return Task.CompletedTask;
        });
        try
        {
            while (!stoppingToken.IsCancellationRequested)
                await _changed.WaitAsync(await SleepDueAsync(stoppingToken), stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    /// <summary>Puts the idle ones to sleep and says how long until the next could be.</summary>
    private async Task<TimeSpan> SleepDueAsync(CancellationToken ct)
    {
        var wait = MaxWait;
        try
        {
            foreach (var d in await deployments.SleepCandidatesAsync(ct))
            {
                var last = new[] { _started, _lastRequest.GetValueOrDefault(d.Name), new DateTimeOffset(DateTime.SpecifyKind(d.CreatedAt, DateTimeKind.Utc)) }.Max();
                var left = last + TimeSpan.FromMinutes(d.IdleMinutes!.Value) - clock.GetUtcNow();
                if (left > TimeSpan.Zero)
                {
                    if (left < wait) wait = left;
                    continue;
                }
                await deployments.SleepAsync(d, ct);
                logger.LogInformation("Deployment {Deployment} is asleep after {Minutes} idle minutes", d.Name, d.IdleMinutes);
            }
        }
        catch (Exception e) when (e is PortalException or IOException or InvalidOperationException)
        {
            logger.LogWarning(e, "Idle deployments could not be put to sleep");
            wait = TimeSpan.FromSeconds(1);
        }
        return wait < MinWait ? MinWait : wait;
    }

    public override void Dispose()
    {
        _changed.Dispose();
        base.Dispose();
    }
}
