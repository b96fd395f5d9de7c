using Portal.Core.Deployments;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Services;
using Portal.Core.Stores;
using System.Text.Json;

namespace Portal.Web.Api;

public static class DeploymentsApi
{
    public sealed record DeploymentDto(string Name, string Project, string? ModelVersion, string Environment, string Entry, int Replicas, int Port,
        string State, string? Message, string? BuildTag, string? ResourceProfile, string? Manager, Dictionary<string, string> Env, DateTime CreatedAt,
        IReadOnlyList<ReplicaDto>? ReplicaStates, string Url, string? EngineUnreachable = null, string? Package = null, int? MinReplicas = null,
        double? IdleMinutes = null, bool Sleeping = false, double? ColdStartMs = null, AccuracyAlert? Alert = null, JsonElement? LastAlert = null);

    public sealed record ScoreDto(int Labelled, int Rows, double? Accuracy, double? Mae, double? Rmse);

    public sealed record AccuracyDto(string? Kind, DateTime Since, int BucketMinutes, ScoreDto Overall, IReadOnlyList<VersionScoreDto> ByVersion,
        IReadOnlyList<PointDto> Series, bool Truncated);

    public sealed record VersionScoreDto(string Version, ScoreDto Score);

    public sealed record PointDto(DateTime From, ScoreDto Score);

    public static ScoreDto ToDto(this AccuracyScore s) => new(s.Labelled, s.Rows, s.Accuracy, s.Mae, s.Rmse);

    public sealed record ReplicaDto(string Id, string State, string? Endpoint, string? Message);

    /// <summary>With <c>package</c>, a rest package's image serves: project, model_version and entry may then be left out.</summary>
    public sealed record CreateDto(string Name, string? Project, string? ModelVersion, string? Entry, string? Environment, string? BuildTag,
        int? Replicas, int? Port, Dictionary<string, string>? Env, string? ResourceProfile, HealthSettings? Health, string? Package = null,
        int? MinReplicas = null, double? IdleMinutes = null);

    /// <summary><c>min_replicas: 0</c> turns scale to zero on (after <c>idle_minutes</c>, 15 unless given); any other value turns it off.</summary>
    public sealed record IdleDto(int? MinReplicas, double? IdleMinutes);

    private const double DefaultIdleMinutes = 15;

    private static double? IdleOf(int? minReplicas, double? idleMinutes) => minReplicas == 0 ? idleMinutes ?? DefaultIdleMinutes : null;

    public sealed record ScaleDto(int Replicas);

    public sealed record SwitchDto(string ModelVersion);

    public sealed record RequestDto(string RequestId, string Path, DateTime At, double LatencyMs, int Status, string? ModelVersion, string? Replica,
        string? Request, string? Response, string? Feedback);

    public sealed record RequestsDto(int Count, double ErrorRate, double? P50Ms, double? P99Ms, IReadOnlyList<RequestDto> Recent);

    public static DeploymentDto ToDto(this Deployment d, IReadOnlyList<Replica>? replicas = null) => new(d.Name, d.Project?.Name ?? "", d.ModelVersionName,
        d.Environment, d.Notebook, d.Replicas, d.Port, d.Task.State.ToString().ToUpperInvariant(), d.Task.Message, d.BuildVersion?.Tag, d.ResourceProfile,
        d.Manager, d.Env, d.CreatedAt, replicas?.Select(r => new ReplicaDto(r.Id, r.State.ToString().ToUpperInvariant(), r.Endpoint, r.Message)).ToList(),
        $"/model/{d.Name}/api/model/invoke", Package: d.Package?.Name, MinReplicas: d.IdleMinutes is null ? d.Replicas : 0, IdleMinutes: d.IdleMinutes,
        Sleeping: d.Sleeping, ColdStartMs: d.ColdStartMs, Alert: d.Alert,
        LastAlert: d.Details.TryGetValue(DeploymentService.AlertDetail, out var last) ? last : null);

    public static void MapDeploymentsApi(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("/deployments").WithTags("Deployments");

        g.MapGet("/", async ([AsParameters] ListQuery q, DeploymentService s, CancellationToken ct) => (await s.ListAsync(q.ToPageRequest(), ct)).ToDto(d => d.ToDto()));

        g.MapGet("/{name}", async (string name, DeploymentService s, CancellationToken ct) =>
            {
                var d = await s.GetAsync(name, ct);
                try { return d.ToDto(await s.ReplicasAsync(d, ct)); }
                // The deployment is still the deployment: its replicas are unknown until the engine answers again.
                catch (Portal.Core.Containers.EngineUnreachableException e) { return d.ToDto() with { EngineUnreachable = e.Message }; }
            })
            .WithSummary("A deployment with the state and address of each replica (replica_states null and engine_unreachable set while the engine cannot be asked).");

        g.MapPost("/", async (CreateDto input, DeploymentService s, CancellationToken ct) =>
            {
                var d = await s.CreateAsync(new DeploymentInput
                {
                    Name = input.Name ?? "", Project = input.Project ?? "", ModelVersion = input.ModelVersion ?? "", Entry = input.Entry ?? "", Package = input.Package,
                    Environment = input.Environment,
                    BuildTag = input.BuildTag, Replicas = input.Replicas ?? 1, IdleMinutes = IdleOf(input.MinReplicas, input.IdleMinutes), Port = input.Port ?? 8080, Env = input.Env ?? [], ResourceProfile = input.ResourceProfile, Health = input.Health,
                }, ct);
                return Results.Created($"/api/v1/deployments/{d.Name}", d.ToDto());
            })
            .WithSummary("Deploy a model version promoted to the environment as replicas of the prediction server, or a rest package's image; "
                + "it answers at /model/{name}/api/model/invoke.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);

        g.MapGet("/{name}/log", async (string name, bool? follow, DeploymentService s, HttpContext http, CancellationToken ct) =>
            {
                var d = await s.GetAsync(name, ct);
                return LogResults.ForEngine(http, following => s.ReadLogAsync(d, following, http.RequestAborted), follow, $"{name}.log");
            })
            .WithSummary("The replicas' output from the engine: text so far, or with follow=true server-sent 'line' events as it comes "
                + "(numbered in this response only: the engine keeps no numbers to resume from).");

        g.MapPost("/{name}/scale", async (string name, ScaleDto scale, DeploymentService s, CancellationToken ct) => (await s.ScaleAsync(name, scale.Replicas, ct)).ToDto());

        g.MapPut("/{name}/scale-to-zero", async (string name, IdleDto idle, DeploymentService s, CancellationToken ct) =>
                (await s.SetIdleAsync(name, IdleOf(idle.MinReplicas, idle.IdleMinutes), ct)).ToDto())
            .WithSummary("With min_replicas 0 the replicas stop after idle_minutes (15 unless given) without a request, and the next request through "
                + "the router starts them and waits (router.cold_start_seconds, then 503 with Retry-After); any other min_replicas turns it off.");

        g.MapPost("/{name}/version", async (string name, SwitchDto input, DeploymentService s, CancellationToken ct) => (await s.SwitchVersionAsync(name, input.ModelVersion, ct)).ToDto())
            .WithSummary("Serve another version (promoted to the deployment's environment) by a rolling update: new replicas healthy before old ones stop.");

        g.MapDelete("/{name}", async (string name, DeploymentService s, CancellationToken ct) =>
            {
                await s.DeleteAsync(name, ct);
                return Results.NoContent();
            })
            .WithSummary("Stop the replicas and remove the deployment with its recorded requests.");

        g.MapGet("/{name}/accuracy", async (string name, int? hours, int? bucket_minutes, DeploymentService s, LiveAccuracy accuracy, CancellationToken ct) =>
            {
                var d = await s.GetAsync(name, ct);
                var window = TimeSpan.FromHours(Math.Clamp(hours ?? 24, 1, 24 * 30));
                var bucket = TimeSpan.FromMinutes(Math.Clamp(bucket_minutes ?? 60, 1, 24 * 60));
                if (window / bucket > 500) bucket = window / 500;
                var r = await accuracy.ReportAsync(d, window, bucket, ct);
                return new AccuracyDto(r.Kind?.ToString().ToLowerInvariant(), r.Since, (int)r.Bucket.TotalMinutes, r.Overall.ToDto(),
                    [.. r.ByVersion.Select(v => new VersionScoreDto(v.Version, v.Score.ToDto()))], [.. r.Series.Select(p => new PointDto(p.From, p.Score.ToDto()))],
                    r.Truncated);
            })
            .WithSummary("Live accuracy from feedback joined to predictions by Request-ID: accuracy (classification) or MAE and RMSE (regression, the "
                + "model's kind), overall, per served version and per bucket over the last `hours`, with the count of labelled requests.");

        g.MapPut("/{name}/alert", async (string name, AccuracyAlert alert, DeploymentService s, CancellationToken ct) => (await s.SetAlertAsync(name, alert, ct)).ToDto())
            .WithSummary("Raise an alert (shown on the page, sent to webhooks, audited) when live accuracy falls below `threshold` (or RMSE rises above it) "
                + "over `window_minutes` with at least `min_labelled` labelled requests; with `retrain_notebook` it also launches that training.");

        g.MapDelete("/{name}/alert", async (string name, DeploymentService s, CancellationToken ct) => (await s.SetAlertAsync(name, null, ct)).ToDto())
            .WithSummary("Stop watching the deployment's live accuracy.");

        g.MapGet("/{name}/requests", async (string name, int? take, DeploymentService s, IPredictionStore records, CancellationToken ct) =>
            {
                var d = await s.GetAsync(name, ct);
                var recent = await records.RecentAsync(d.Id, Math.Clamp(take ?? 100, 1, 1000), ct);
                var stats = PredictionStats.Of(recent);
                return new RequestsDto(stats.Count, stats.ErrorRate, stats.P50Ms, stats.P99Ms,
                    recent.Select(r => new RequestDto(r.RequestId, r.Path, r.At, r.LatencyMs, r.Status, r.ModelVersion, r.Replica, r.Request, r.Response, r.Feedback)).ToList());
            })
            .WithSummary("The most recent requests through the router, their error rate and latency percentiles, with feedback.");
    }
}
