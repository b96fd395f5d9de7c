using System.Collections.Concurrent;
using System.Diagnostics;
using Portal.Core.Configuration;
using Portal.Core.Deployments;
using Portal.Core.Entities;
using Portal.Core.Errors;

namespace Portal.Web.Router;

/// <summary>
/// Scale to zero, the waking half: the first request for a sleeping deployment starts its replicas and every request
/// waits (up to <c>router.cold_start_seconds</c>) for one to answer; one wake-up per deployment however many requests
/// wait. The time from the wake to the first answer is recorded on the deployment.
/// </summary>
public sealed class ColdStarts(DeploymentService deployments, ReplicaDirectory directory, IdleSleeper idle, IHttpClientFactory clients,
    PortalConfig config, ILogger<ColdStarts> logger)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<bool>>> _waking = new(StringComparer.Ordinal);

    /// <summary>Seconds a refused caller is told to wait before asking again.</summary>
    public const int RetryAfterSeconds = 10;

    /// <summary>True once a replica answers; false when none did within the bound (the wake-up goes on for later requests).</summary>
    public async Task<bool> WakeAsync(Deployment deployment, CancellationToken ct)
    {
        var waking = _waking.GetOrAdd(deployment.Name, name => new Lazy<Task<bool>>(() => WakeAndWaitAsync(name)));
        try { return await waking.Value.WaitAsync(TimeSpan.FromSeconds(config.Router.ColdStartSeconds), ct); }
        catch (TimeoutException) { return false; }
    }

    private async Task<bool> WakeAndWaitAsync(string name)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var awake = await deployments.WakeAsync(name, CancellationToken.None);
            var client = clients.CreateClient(ModelInvoker.HttpClientName);
            // Waiting goes on past the callers' bound (five minutes at least), so a slow start is still recorded and kept awake
            // for the callers told to come back.
            while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(Math.Max(config.Router.ColdStartSeconds * 2, 300)))
            {
                // Waiting callers are not idleness: the deployment must not be put back to sleep while it starts.
                idle.Touch(name);
                directory.Invalidate(name);
                foreach (var endpoint in (await directory.ResolveAsync(name, CancellationToken.None))?.Endpoints ?? [])
                {
                    try
                    {
                        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                        using var answer = await client.GetAsync($"{endpoint}/health", timeout.Token);
                        if (answer.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable) continue;
                        await deployments.RecordColdStartAsync(awake.Id, Stopwatch.GetElapsedTime(started).TotalMilliseconds, CancellationToken.None);
                        return true;
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
                }
                await Task.Delay(250);
            }
            return false;
        }
        catch (PortalException e)
        {
            logger.LogWarning("Deployment {Deployment} could not be woken: {Message}", name, e.Message);
            return false;
        }
        finally { _waking.TryRemove(name, out _); }
    }
}
