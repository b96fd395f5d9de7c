using System.Collections.Concurrent;
using Portal.Core.Containers;
using Portal.Core.Deployments;
using Portal.Core.Errors;

namespace Portal.Web.Router;

/// <summary>
/// Scale to zero, the sleeping half: remembers when each deployment last got a request through the router, and every few
/// seconds puts to sleep those with <c>idle_minutes</c> that have had none for that long (since the request, their wake-up
/// or this portal's start). <see cref="ColdStarts"/> is the waking half.
/// </summary>
public sealed class IdleSleeper(DeploymentService deployments, TimeProvider clock, ILogger<IdleSleeper> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastRequest = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _started = clock.GetUtcNow();

    /// <summary>A request for <paramref name="deployment"/> came now.</summary>
    public void Touch(string deployment) => _lastRequest[deployment] = clock.GetUtcNow();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                foreach (var d in await deployments.SleepCandidatesAsync(stoppingToken))
                {
                    var last = new[] { _started, _lastRequest.GetValueOrDefault(d.Name), new DateTimeOffset(DateTime.SpecifyKind(d.CreatedAt, DateTimeKind.Utc)) }.Max();
                    if (clock.GetUtcNow() - last < TimeSpan.FromMinutes(d.IdleMinutes!.Value)) continue;
                    await deployments.SleepAsync(d, stoppingToken);
                    logger.LogInformation("Deployment {Deployment} is asleep after {Minutes} idle minutes", d.Name, d.IdleMinutes);
                }
            }
            catch (Exception e) when (e is PortalException or IOException or InvalidOperationException)
            {
                logger.LogWarning(e, "Idle deployments could not be put to sleep");
            }
        }
    }
}
