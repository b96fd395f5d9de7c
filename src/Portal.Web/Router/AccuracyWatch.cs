using System.Collections.Concurrent;
using System.Threading.Channels;
using Portal.Core.Deployments;
using Portal.Core.Errors;

namespace Portal.Web.Router;

/// <summary>
/// Checks a deployment's accuracy alert after feedback arrives for it, in the background and at most every few seconds
/// per deployment, so a burst of feedback costs one check, and the feedback call never waits for scoring.
/// </summary>
public sealed class AccuracyWatch(AccuracyAlerts alerts, TimeProvider clock, ILogger<AccuracyWatch> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(2);
    private readonly Channel<string> _poked = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, byte> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _checked = new(StringComparer.Ordinal);

    /// <summary>Feedback arrived for <paramref name="deployment"/>: check its alert soon.</summary>
    public void Poke(string deployment)
    {
        if (_pending.TryAdd(deployment, 0)) _poked.Writer.TryWrite(deployment);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var name in _poked.Reader.ReadAllAsync(stoppingToken))
        {
            if (_checked.TryGetValue(name, out var last) && clock.GetUtcNow() - last < Every)
                await Task.Delay(Every - (clock.GetUtcNow() - last), stoppingToken);
            // Feedback arriving from here on pokes again; what arrived until now is in this check.
            _pending.TryRemove(name, out _);
            _checked[name] = clock.GetUtcNow();
            try { await alerts.CheckAsync(name, stoppingToken); }
            catch (NotFoundException) { _checked.Remove(name); }
            catch (Exception e) when (e is PortalException or IOException or InvalidOperationException)
            {
                logger.LogWarning(e, "The accuracy alert of {Deployment} could not be checked", name);
            }
        }
    }
}
