namespace Portal.Core.Entities;

/// <summary>
/// A public name over deployments (ODAHU's ModelRoute): <c>/model/{route}/…</c> goes to one target, chosen by weight
/// (canary 90/10, A/B 50/50) or kept per caller by a sticky header or body key; a shadow deployment gets a copy of each request.
/// </summary>
public sealed class ModelRoute
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public List<RouteTarget> Targets { get; set; } = [];
    /// <summary>A deployment that gets a copy of every request; its answers are recorded, never returned.</summary>
    public string? Shadow { get; set; }
    /// <summary>A request header whose value keeps a caller on one target while the weights stay as they are.</summary>
    public string? StickyHeader { get; set; }
    /// <summary>A top-level field of a JSON request body (e.g. <c>user_id</c>) that keeps a caller on one target, when no sticky header was sent.</summary>
    public string? StickyKey { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A deployment behind a route and its share of the requests, in percent.</summary>
public sealed record RouteTarget(string Deployment, int Weight);
