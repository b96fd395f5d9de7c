using Portal.Core.Dashboards;
using Portal.Web.Auth;

namespace Portal.Web.Api;

/// <summary>Team dashboards (team leads and admins): the numbers behind the dashboard page's charts.</summary>
public static class DashboardsApi
{
    public static void MapDashboardsApi(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("/dashboards").WithTags("Dashboards").RequireAuthorization(PortalPolicies.Lead);
        g.MapGet("/team", async (DateTime? from, DateTime? to, string? project, TeamDashboardService s, CancellationToken ct) =>
                await s.GetAsync(from?.ToUniversalTime(), to?.ToUniversalTime(), project, ct))
            .WithSummary($"Trainings per day by state, success rate, duration and queue-wait percentiles (seconds), top failing projects, deployment traffic from the router's records, resource use by profile. Window: from, to (default the last {TeamDashboardService.DefaultDays} days), at most {TeamDashboardService.MaxDays} days; project filters.");
        g.MapGet("/metrics/{model}", async (string model, string? metric, bool? higher_is_better, TeamDashboardService s, CancellationToken ct) =>
                await s.MetricAsync(model, metric, higher_is_better, ct))
            .WithSummary("One metric (from the versions' details) across a model's versions, oldest first, with the best version; metric defaults to the first reported, higher_is_better is guessed from the name (loss, error, mse... are lower-is-better).");
    }
}
