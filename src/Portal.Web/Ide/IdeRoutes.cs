using System.Collections.Concurrent;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Ide;

namespace Portal.Web.Ide;

/// <summary>
/// Where each IDE session answers and its token, kept for two seconds: one Jupyter page pulls dozens of files, and
/// each would otherwise cost a store read, an engine call and a decryption.
/// </summary>
public sealed class IdeRoutes(IdeService ide, TimeProvider clock)
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<(string User, string Session), Route> _routes = new();

    public sealed record Route(IdeSession Session, string? Endpoint, string Token, DateTimeOffset At);

    /// <summary>Forgets a route that stopped answering (the session stopped or moved).</summary>
    public void Invalidate(string user, string session) => _routes.TryRemove((user, session), out _);

    /// <summary>The session's route; null when there is no such session.</summary>
    public async Task<Route?> ResolveAsync(string user, string session, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_routes.TryGetValue((user, session), out var route) && now - route.At < Freshness) return route;
        IdeSession found;
        try { found = await ide.GetAsync(user, session, ct); }
        catch (NotFoundException)
        {
            _routes.TryRemove((user, session), out _);
            return null;
        }
        route = new Route(found, await ide.EndpointAsync(found, ct), ide.TokenOf(found), now);
        // A session that is not up yet is looked at again on the next request.
        if (route.Endpoint is not null) _routes[(user, session)] = route;
        return route;
    }
}
