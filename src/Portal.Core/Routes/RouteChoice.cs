using System.Security.Cryptography;
using System.Text;
using Portal.Core.Entities;

namespace Portal.Core.Routes;

/// <summary>
/// Which target of a route serves a request: a point in [0, 100) falls into the targets' weights laid end to end. The
/// point is random, or, for a caller sending the route's sticky header (or body key), a hash of its value, so the same caller lands
/// on the same target for as long as the weights stay as they are.
/// </summary>
public static class RouteChoice
{
    /// <summary>What keeps this caller on one target: the route's sticky header, else its body key's value; null for none.</summary>
    public static string? StickyValue(ModelRoute route, Func<string, string?> header, ReadOnlySpan<byte> body)
    {
        if (route.StickyHeader is { } name && header(name) is { Length: > 0 } sent) return sent;
        if (route.StickyKey is not { } key || body.IsEmpty) return null;
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(body);
            // The body's top level only: the key's value is the next token after its name at depth 1.
            while (reader.Read())
            {
                if (reader.TokenType != System.Text.Json.JsonTokenType.PropertyName || reader.CurrentDepth != 1) continue;
                var match = reader.ValueTextEquals(key);
                if (!reader.Read()) return null;
                if (!match) { reader.Skip(); continue; }
                return reader.TokenType switch
                {
                    System.Text.Json.JsonTokenType.String => reader.GetString(),
                    System.Text.Json.JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
                    _ => null,
                };
            }
        }
        catch (System.Text.Json.JsonException) { }
        // Not JSON, or no such field: the request is placed at random, as without a key.
        return null;
    }

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
