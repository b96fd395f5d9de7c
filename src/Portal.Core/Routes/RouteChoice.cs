using System.Security.Cryptography;
using System.Text;
using Portal.Core.Entities;

namespace Portal.Core.Routes;

/// <summary>
/// Which target of a route serves a request: a point in [0, 100) falls into the targets' weights laid end to end. The
/// point is random, or, for a caller sending the route's sticky header, a hash of its value, so the same caller lands
/// on the same target for as long as the weights stay as they are.
/// </summary>
public static class RouteChoice
{
    public static string Pick(IReadOnlyList<RouteTarget> targets, string? stickyKey)
    {
        var point = stickyKey is { Length: > 0 }
            ? (int)(BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(stickyKey))) % 100)
            : Random.Shared.Next(100);
        foreach (var target in targets)
        {
            if (point < target.Weight) return target.Deployment;
            point -= target.Weight;
        }
        // Weights sum to 100 (the service checks it), so only a route with every weight at zero but the last gets here.
        return targets[^1].Deployment;
    }
}
