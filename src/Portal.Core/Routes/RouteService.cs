using System.Text.RegularExpressions;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Notifications;
using Portal.Core.Services;
using Portal.Core.Stores;

namespace Portal.Core.Routes;

/// <summary>
/// Routes: the one writer of their rows. A route shares <c>/model/{name}</c> with deployments, so its name may not be a
/// deployment's; its targets and shadow are deployments that exist. Changes are published on the feed, which the
/// router's table listens to, so new weights apply to the next request without dropping one in flight.
/// </summary>
public sealed partial class RouteService(
    IRouteStore routes, IDeploymentStore deployments, IPredictionStore records, ChangeFeed<ModelRoute> feed, TimeProvider clock)
{
    public const int MaxTargets = 10;

    public Task<IReadOnlyList<ModelRoute>> ListAsync(CancellationToken ct) => routes.ListAsync(ct);

    public async Task<ModelRoute> GetAsync(string name, CancellationToken ct) => await routes.FindAsync(name, ct) ?? throw new NotFoundException("route", name);

    public async Task<ModelRoute> CreateAsync(RouteInput input, CancellationToken ct)
    {
        var name = input.Name.Trim();
        var errors = new ValidationErrors();
        InputRules.Name(errors, "name", name, "route name");
        if (!errors.Has("name") && await deployments.FindAsync(name, ct) is not null)
            errors.Add("name", $"'{name}' is a deployment's name, and /model/{name} already reaches it; name the route otherwise.");
        if (!errors.Has("name") && await routes.FindAsync(name, ct) is not null) errors.Add("name", $"A route named '{name}' already exists.");
        await CheckAsync(input, errors, ct);
        errors.ThrowIfAny();
        var now = clock.GetUtcNow().UtcDateTime;
        var route = await routes.AddAsync(new ModelRoute
        {
            Name = name, Targets = Clean(input.Targets), Shadow = InputRules.Clean(input.Shadow), StickyHeader = InputRules.Clean(input.StickyHeader),
            StickyKey = InputRules.Clean(input.StickyKey),
            CreatedAt = now, UpdatedAt = now,
        }, ct);
        feed.Publish(route);
        return route;
    }

    /// <summary>New targets, weights, shadow or sticky header for a route; the name stays.</summary>
    public async Task<ModelRoute> UpdateAsync(string name, RouteInput input, CancellationToken ct)
    {
        var route = await GetAsync(name, ct);
        var errors = new ValidationErrors();
        await CheckAsync(input, errors, ct);
        errors.ThrowIfAny();
        var saved = await routes.MutateAsync(route.Id, r =>
        {
            r.Targets = Clean(input.Targets);
            r.Shadow = InputRules.Clean(input.Shadow);
            r.StickyHeader = InputRules.Clean(input.StickyHeader);
            r.StickyKey = InputRules.Clean(input.StickyKey);
            r.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        }, ct);
        feed.Publish(saved);
        return saved;
    }

    public async Task DeleteAsync(string name, CancellationToken ct)
    {
        var route = await GetAsync(name, ct);
        await routes.DeleteAsync(route.Id, ct);
        feed.Publish(route);
    }

    /// <summary>
    /// Each target's (and the shadow's) requests through the route over the last <paramref name="window"/>, as the router
    /// recorded them; a target's share is of the requests answered for the callers, so a shadow has none.
    /// </summary>
    public async Task<IReadOnlyList<TargetTraffic>> TrafficAsync(ModelRoute route, TimeSpan window, CancellationToken ct) =>
        (await TrafficAsync([route], window, ct))[route.Name];

    /// <summary>The traffic of each route's targets and shadow over <paramref name="window"/>, read in one query.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<TargetTraffic>>> TrafficAsync(IReadOnlyList<ModelRoute> of, TimeSpan window,
        CancellationToken ct)
    {
        var rows = await records.TrafficAsync([.. of.Select(r => r.Name)], clock.GetUtcNow().UtcDateTime - window, ct);
        return of.ToDictionary(r => r.Name, IReadOnlyList<TargetTraffic> (r) => Traffic(r, [.. rows.Where(row => row.Route == r.Name)]));
    }

    private static List<TargetTraffic> Traffic(ModelRoute route, List<TrafficRow> rows)
    {
        var served = rows.Where(r => !r.Shadow).Sum(r => r.Requests);
        var result = new List<TargetTraffic>();
        foreach (var (name, weight, shadow) in route.Targets.Select(t => (t.Deployment, t.Weight, false))
                     .Concat(route.Shadow is { } s ? [(s, 0, true)] : []))
        {
            var mine = rows.Where(r => r.Deployment == name && r.Shadow == shadow).ToList();
            var requests = mine.Sum(r => r.Requests);
            result.Add(new TargetTraffic(name, weight, shadow, requests, shadow || served == 0 ? 0 : 100.0 * requests / served, mine.Sum(r => r.Errors),
                requests == 0 ? null : mine.Sum(r => r.MeanLatencyMs * r.Requests) / requests));
        }
        return result;
    }

    /// <summary>The routes that send requests (or shadow copies) to <paramref name="deployment"/>.</summary>
    public async Task<IReadOnlyList<ModelRoute>> RoutesToAsync(string deployment, CancellationToken ct) =>
        [.. (await routes.ListAsync(ct)).Where(r => r.Shadow == deployment || r.Targets.Any(t => t.Deployment == deployment))];

    private async Task CheckAsync(RouteInput input, ValidationErrors errors, CancellationToken ct)
    {
        var targets = input.Targets ?? [];
        if (targets.Count is 0 or > MaxTargets)
            errors.Add("targets", $"A route has 1 to {MaxTargets} target deployments, not {targets.Count}.");
        foreach (var (target, i) in targets.Select((t, i) => (t, i)))
        {
            if (target.Weight is < 0 or > 100) errors.Add($"targets[{i}].weight", $"A weight is a percentage from 0 to 100, not {target.Weight}.");
            if (string.IsNullOrWhiteSpace(target.Deployment)) errors.Add($"targets[{i}].deployment", "Name the deployment this target sends requests to.");
            else if (await deployments.FindAsync(target.Deployment.Trim(), ct) is null)
                errors.Add($"targets[{i}].deployment", $"There is no deployment named '{target.Deployment.Trim()}'.");
        }
        var names = targets.Where(t => !string.IsNullOrWhiteSpace(t.Deployment)).Select(t => t.Deployment.Trim()).ToList();
        if (names.Distinct().Count() != names.Count) errors.Add("targets", "Each deployment may be a target once; give it the sum of the weights instead.");
        if (targets.Count > 0 && targets.All(t => t.Weight is >= 0 and <= 100) && targets.Sum(t => t.Weight) != 100)
            errors.Add("targets", $"The weights add up to {targets.Sum(t => t.Weight)}; they must add up to 100.");
        if (InputRules.Clean(input.Shadow) is { } shadow)
        {
            if (names.Contains(shadow)) errors.Add("shadow", $"'{shadow}' is already a target; a shadow gets copies, so it must be another deployment.");
            else if (await deployments.FindAsync(shadow, ct) is null) errors.Add("shadow", $"There is no deployment named '{shadow}'.");
        }
        if (InputRules.Clean(input.StickyHeader) is { } header && !HeaderName().IsMatch(header))
            errors.Add("sticky_header", $"'{header}' is not a header name; use letters, digits and dashes, e.g. X-User-Id.");
        if (InputRules.Clean(input.StickyKey) is { } key && !BodyKey().IsMatch(key))
            errors.Add("sticky_key", $"'{key}' is not a field name; name a top-level field of the JSON body, e.g. user_id (letters, digits, '_', '-', up to 64).");
    }

    private static List<RouteTarget> Clean(IReadOnlyList<RouteTarget> targets) => [.. targets.Select(t => t with { Deployment = t.Deployment.Trim() })];

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")]
    private static partial Regex HeaderName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex BodyKey();
}
