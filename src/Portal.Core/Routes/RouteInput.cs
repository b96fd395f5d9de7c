using Portal.Core.Entities;

namespace Portal.Core.Routes;

/// <summary>A route as asked for: its targets with weights in percent (summing to 100), an optional shadow, sticky header and sticky body key.</summary>
public sealed record RouteInput(string Name, IReadOnlyList<RouteTarget> Targets, string? Shadow = null, string? StickyHeader = null, string? StickyKey = null);
