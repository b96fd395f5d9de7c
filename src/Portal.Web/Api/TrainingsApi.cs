using Portal.Core.Batch;
using Portal.Core.Trainings;
using System.Text;
using System.Text.Json;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Logs;
using Portal.Core.Notifications;
using Portal.Core.Services;
using Portal.Web.Auth;
using static Portal.Web.Api.ApiModels;

namespace Portal.Web.Api;

public static class TrainingsApi
{
    public sealed record TrainingDto(string Name, string Project, string Notebook, string State, double Progress, string? Message,
        DateTime? StartTime, DateTime? UpdateTime, Dictionary<string, JsonElement> Parameters, IReadOnlyList<DatasetRef> Datasets,
        Dictionary<string, double> Metrics, TrainingFailure? Failure, string? ResourceProfile, string? BuildTag, string? Manager, DateTime CreatedAt,
        IReadOnlyList<ExtraMount> Mounts, string? Pretrained, DateTime? EngineUnreachableSince, string Kind, string? ScoredInto, bool Scored);

    public sealed record LaunchDto(string Project, string? Name, string Notebook, JsonElement? Parameters, IReadOnlyList<string>? Datasets,
        Dictionary<string, string>? Env, string? ResourceProfile, string? BuildTag, IReadOnlyList<string>? Mounts, string? Pretrained);

    public sealed record PointDto(string? Name, long Step, double Value);

    public sealed record ReportDto(double? Progress, Dictionary<string, double>? Metrics, IReadOnlyList<PointDto>? Points);

    public sealed record SeriesPointDto(long Step, double Value, DateTime At);

    public sealed record ComparedRunDto(string Project, string Name, string State, Dictionary<string, JsonElement> Parameters,
        Dictionary<string, double> Metrics, IReadOnlyList<string> Versions, Dictionary<string, List<SeriesPointDto>> Series);

    public sealed record ComparisonDto(IReadOnlyList<ComparedRunDto> Runs, IReadOnlyList<string> Parameters, IReadOnlyList<string> Metrics,
        IReadOnlyList<string> DifferingParameters, IReadOnlyList<string> DifferingMetrics);

    public static ComparisonDto ToDto(this ComparedRuns c) => new(
        [.. c.Runs.Select(r => new ComparedRunDto(r.Training.Project?.Name ?? "", r.Training.Name, r.Training.Task.State.ToString().ToUpperInvariant(),
            r.Training.Parameters, r.Training.Metrics, r.Versions,
            r.Series.ToDictionary(s => s.Key, s => s.Value.Select(p => new SeriesPointDto(p.Step, p.Value, p.At)).ToList())))],
        c.Parameters, c.Metrics, c.DifferingParameters, c.DifferingMetrics);

    public static TrainingDto ToDto(this Training t) => new(t.Name, t.Project?.Name ?? "", t.Notebook, t.Task.State.ToString().ToUpperInvariant(),
        t.Task.Progress, t.Task.Message, t.Task.StartTime, t.Task.UpdateTime, t.Parameters, t.Datasets, t.Metrics, t.Failure, t.ResourceProfile,
        t.BuildTag, t.Manager, t.CreatedAt, t.Mounts, t.PretrainedName, t.Task.EngineUnreachableSince, t.Kind.ToString().ToLowerInvariant(),
        BatchJobs.ScoredInto(t), t.ScoredDatasetId is not null);

    /// <summary>The training as it is, then each newer change its supervisor publishes, until a final state.</summary>
    private static async IAsyncEnumerable<TrainingDto> StatesAsync(Training current, ChangeListener<Training> changes,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        using (changes)
        {
            yield return current.ToDto();
            var last = current.Task.UpdateTime;
            if (IsFinal(current)) yield break;
            await foreach (var changed in changes.ReadAllAsync(ct))
            {
                if (changed.Task.UpdateTime < last) continue;
                last = changed.Task.UpdateTime;
                yield return changed.ToDto();
                if (IsFinal(changed)) yield break;
            }
        }
    }

    private static bool IsFinal(Training t) => t.Task.State is not (TaskState.Waiting or TaskState.Running);

    public static void MapTrainingsApi(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("/trainings").WithTags("Trainings");

        g.MapGet("/", async ([AsParameters] ListQuery q, string? project, TrainingService s, CancellationToken ct) =>
            (await s.ListAsync(project, q.ToPageRequest(), ct)).ToDto(t => t.ToDto()))
            .WithSummary("List trainings, newest first (sort by created_at, name or state; filter by project).");

        g.MapGet("/compare", async (string[]? runs, TrainingComparison comparison, CancellationToken ct) =>
                (await comparison.CompareAsync([.. (runs ?? []).SelectMany(r => r.Split(','))], ct)).ToDto())
            .WithSummary("Compare 2 to 50 trainings (runs=project/training, repeated or comma-separated): parameters and final metrics with "
                + "those that differ, the versions each published, and each metric's series.");

        g.MapGet("/{project}/{name}", async (string project, string name, TrainingService s, CancellationToken ct) => (await s.GetAsync(project, name, ct)).ToDto())
            .ProducesProblem(StatusCodes.Status404NotFound);

        g.MapGet("/{project}/{name}/events", async (string project, string name, TrainingService s, ChangeFeed<Training> feed, CancellationToken ct) =>
            {
                var changes = feed.Listen(t => t.Name == name && t.Project?.Name == project);
                try { return TypedResults.ServerSentEvents(StatesAsync(await s.GetAsync(project, name, ct), changes, ct), "state"); }
                catch
                {
                    changes.Dispose();
                    throw;
                }
            })
            .WithSummary("The training's state as server-sent events (event 'state', the training as JSON): now, then at each change, until it ends.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        g.MapPost("/", async (LaunchDto input, TrainingService s, CancellationToken ct) =>
            {
                var t = await s.LaunchAsync(new TrainingInput
                {
                    Project = input.Project,
                    Name = input.Name,
                    Notebook = input.Notebook,
                    ParametersJson = DetailsText(input.Parameters),
                    Datasets = input.Datasets ?? [],
                    Env = input.Env ?? [],
                    ResourceProfile = input.ResourceProfile,
                    BuildTag = input.BuildTag,
                    Mounts = input.Mounts ?? [],
                    Pretrained = input.Pretrained,
                }, ct);
                return Results.Created($"/api/v1/trainings/{t.Project!.Name}/{t.Name}", t.ToDto());
            })
            .WithSummary("Launch a training: the notebook runs with the parameters injected after its 'parameters' cell.")
            .ProducesProblem(StatusCodes.Status409Conflict);

        g.MapPost("/{project}/{name}/cancel", async (string project, string name, TrainingService s, CancellationToken ct) =>
            {
                await s.CancelAsync(project, name, ct);
                return Results.Accepted();
            })
            .ProducesProblem(StatusCodes.Status409Conflict);

        g.MapGet("/{project}/{name}/log", async (string project, string name, long? from, bool? follow, TrainingService s, TaskLogBook logs, HttpContext http,
                CancellationToken ct) =>
                LogResults.For(http, logs, TrainingPaths.Log((await s.GetAsync(project, name, ct)).Id), from, follow, $"{project}-{name}.log"))
            .WithSummary("The training's log from line from (default 0): as text, what is there so far; with follow=true as server-sent events "
                + "until the training ends: 'line' events {seq, timestamp, stream, text} with the line number as id (a reconnect with "
                + "Last-Event-ID resumes after it), then 'end'; 'error' if the session ends first.");

        g.MapGet("/{project}/{name}/metrics", async (string project, string name, TrainingService s, CancellationToken ct) =>
                (await s.SeriesAsync(project, name, ct)).ToDictionary(m => m.Key, m => m.Value.Select(p => new SeriesPointDto(p.Step, p.Value, p.At)).ToList()))
            .WithSummary("Each metric the training reported over steps (portal_toolkit.log_metric), as its series by step.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        g.MapGet("/{project}/{name}/notebook", (string project, string name, TrainingService s, CancellationToken ct) =>
            ResultAsync(s, project, name, TrainingPaths.ExecutedNotebook, "application/x-ipynb+json", $"{name}.ipynb", ct))
            .WithSummary("The executed notebook (.ipynb).");

        g.MapGet("/{project}/{name}/notebook.html", async (string project, string name, TrainingService s, HttpResponse response, CancellationToken ct) =>
            {
                // Notebook HTML is the notebook author's content: shown sandboxed, with no scripts and no access to the portal.
                response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'";
                return await ResultAsync(s, project, name, TrainingPaths.ExecutedHtml, "text/html; charset=utf-8", null, ct);
            })
            .WithSummary("The executed notebook rendered as HTML (sandboxed).");

        v1.MapPost("/tasks/report", async (HttpContext http, ReportDto report, TrainingService s, CancellationToken ct) =>
            {
                var points = (report.Points ?? []).Select(p => new MetricStep { Name = p.Name ?? "", Step = p.Step, Value = p.Value }).ToList();
                var t = await s.ReportAsync(http.TaskTraining(), report.Progress, report.Metrics, points, ct);
                return Results.Ok(new { progress = t.Task.Progress, metrics = t.Metrics });
            })
            .RequireTaskToken().WithTags("Tasks")
            .WithSummary("Progress and metrics from a running task's toolkit, authorized by that task's token only.");
    }

    private static async Task<IResult> ResultAsync(TrainingService s, string project, string name, string file, string contentType, string? downloadName, CancellationToken ct)
    {
        var result = await s.OpenResultAsync(project, name, file, ct)
            ?? throw new NotFoundException($"result of training '{name}'", file);
        return Results.Stream(result.Content, contentType, downloadName);
    }
}
