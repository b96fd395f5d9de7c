using Portal.Core.Entities;
using Portal.Core.Routes;

namespace Portal.Web.Api;

public static class RoutesApi
{
    public sealed record TargetDto(string Deployment, int Weight);

    public sealed record TrafficDto(string Deployment, int Weight, bool Shadow, int Requests, double Share, int Errors, double? MeanLatencyMs);

    public sealed record RouteDto(string Name, IReadOnlyList<TargetDto> Targets, string? Shadow, string? StickyHeader, string? StickyKey, string Url, DateTime CreatedAt,
        DateTime UpdatedAt, IReadOnlyList<TrafficDto>? Traffic = null, int? TrafficMinutes = null);

    public sealed record RouteInputDto(string? Name, IReadOnlyList<TargetDto>? Targets, string? Shadow, string? StickyHeader, string? StickyKey);

    public static RouteDto ToDto(this ModelRoute r) => new(r.Name, [.. r.Targets.Select(t => new TargetDto(t.Deployment, t.Weight))], r.Shadow,
        r.StickyHeader, r.StickyKey, $"/model/{r.Name}/api/model/invoke", r.CreatedAt, r.UpdatedAt);

    private static RouteInput ToInput(RouteInputDto d, string? name = null) => new(name ?? d.Name ?? "",
        [.. (d.Targets ?? []).Select(t => new RouteTarget(t.Deployment ?? "", t.Weight))], d.Shadow, d.StickyHeader, d.StickyKey);

    public static void MapRoutesApi(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("/routes").WithTags("Routes");

        g.MapGet("/", async (RouteService s, CancellationToken ct) => (await s.ListAsync(ct)).Select(r => r.ToDto()).ToList())
            .WithSummary("Every route: a public name over deployments with weights, an optional shadow and sticky header.");

        g.MapGet("/{name}", async (string name, int? minutes, RouteService s, CancellationToken ct) =>
            {
                var route = await s.GetAsync(name, ct);
                var window = Math.Clamp(minutes ?? 5, 1, 24 * 60);
                var traffic = await s.TrafficAsync(route, TimeSpan.FromMinutes(window), ct);
                return route.ToDto() with
                {
                    Traffic = [.. traffic.Select(t => new TrafficDto(t.Deployment, t.Weight, t.Shadow, t.Requests, t.Share, t.Errors, t.MeanLatencyMs))],
                    TrafficMinutes = window,
                };
            })
            .WithSummary("A route with each target's requests over the last `minutes` (5 unless given, at most a day), as the router recorded them.");

        g.MapPost("/", async (RouteInputDto input, RouteService s, CancellationToken ct) =>
            {
                var route = await s.CreateAsync(ToInput(input), ct);
                return Results.Created($"/api/v1/routes/{route.Name}", route.ToDto());
            })
            .WithSummary("Create a route: /model/{name}/… then goes to its targets by weight (summing to 100); a shadow gets a copy of each request.")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        g.MapPut("/{name}", async (string name, RouteInputDto input, RouteService s, CancellationToken ct) =>
                (await s.UpdateAsync(name, ToInput(input, name), ct)).ToDto())
            .WithSummary("Change a route's targets, weights, shadow or sticky header; the next request follows them, none in flight is dropped.");

        g.MapDelete("/{name}", async (string name, RouteService s, CancellationToken ct) =>
            {
                await s.DeleteAsync(name, ct);
                return Results.NoContent();
            })
            .WithSummary("Remove a route; its deployments keep serving under their own names.");
    }
}
