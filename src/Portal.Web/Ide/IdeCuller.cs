using Portal.Core.Configuration;
using Portal.Core.Entities;
using Portal.Core.Ide;

namespace Portal.Web.Ide;

/// <summary>
/// Stops IDE sessions nobody used for <c>ide.cull_idle_seconds</c>: the later of Jupyter's own last activity
/// (kernels, API) and the last request through the portal's proxy, counted from when Jupyter first answers. The home
/// volume stays; the session says why.
/// </summary>
public sealed class IdeCuller(IdeService ide, JupyterStatus status, PortalConfig config, TimeProvider clock, ILogger<IdeCuller> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(config.Ide.CullCheckSeconds), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try { await CullAsync(stoppingToken); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "The IDE culler could not check the sessions this time");
            }
        }
    }

    /// <summary>How long past the idle limit a session Jupyter never answered for is left to start.</summary>
    public static readonly TimeSpan StartingGrace = TimeSpan.FromMinutes(5);

    public async Task CullAsync(CancellationToken ct)
    {
        var limit = TimeSpan.FromSeconds(config.Ide.CullIdleSeconds);
        foreach (var session in await ide.ListAsync(null, ct))
        {
            if (session.Task.State != TaskState.Running) continue;
            var last = session.LastActivity ?? session.CreatedAt;
            var now = clock.GetUtcNow().UtcDateTime;
            if (await JupyterActivityAsync(session, ct) is { } jupyter)
            {
                if (jupyter > last) last = jupyter;
            }
            // Jupyter has not answered yet: the session is starting (an image to pull, a busy node), not idle. Jupyter's own
            // last activity starts at its start, so the idle time counts from there once it answers.
            else if (now - (session.Task.StartTime ?? session.CreatedAt) < limit + StartingGrace) continue;
            if (now - last < limit) continue;
            logger.LogInformation("Stopping idle IDE session {User}/{Session}, last active {Last:u}", session.User, session.Name, last);
            await ide.StopAsync(session.User, session.Name,
                $"Stopped after {Describe(limit)} without activity (last at {last:yyyy-MM-dd HH:mm} UTC; ide.cull_idle_seconds). Your files in the home folder are kept.", ct);
        }
    }

    private async Task<DateTime?> JupyterActivityAsync(IdeSession session, CancellationToken ct) =>
        await status.GetAsync(session, ct) is { } doc && doc.TryGetProperty("last_activity", out var value) && value.TryGetDateTime(out var at)
            ? at.ToUniversalTime() : null;

    private static string Describe(TimeSpan t) => t.TotalHours >= 1 ? $"{t.TotalHours:0.#} h" : t.TotalMinutes >= 1 ? $"{t.TotalMinutes:0.#} min" : $"{t.TotalSeconds:0} s";
}
