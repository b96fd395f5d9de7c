using System.Text.Json;
using Portal.Core.Entities;
using Portal.Core.Services;
using Portal.Core.Sweeps;
using static Portal.Web.Api.ApiModels;

namespace Portal.Web.Api;

/// <summary>
/// Sweeps (Katib's experiments): a grid or random search over a notebook's parameters, one training per trial, at most
/// max_parallel at once, judged by an objective metric. Each trial is a training under /trainings/{project}/{sweep}-{n}.
/// </summary>
public static class SweepsApi
{
    public sealed record SweepDto(string Name, string Project, string Notebook, string State, string? Message, string Method, string Spec,
        string Objective, string Direction, double? Target, int MaxParallel, int Trials, int Launched, string? BestTraining, double? BestValue,
        Dictionary<string, JsonElement> Parameters, string Owner, DateTime CreatedAt, DateTime? EndedAt);

    public sealed record TrialDto(int Number, string Training, string State, Dictionary<string, JsonElement> Parameters, double? Objective, bool Best);

    public sealed record SweepDetailDto(SweepDto Sweep, IReadOnlyList<TrialDto> Trials);

    public sealed record StartDto(string Project, string? Name, string Notebook, JsonElement? Parameters, JsonElement? Spec, string Objective,
        string? Direction, int? MaxParallel, double? Target, IReadOnlyList<string>? Datasets, Dictionary<string, string>? Env, string? ResourceProfile,
        string? BuildTag, IReadOnlyList<string>? Mounts, string? Pretrained);

    public sealed record PromoteBestDto(string? Environment, string? Comment);

    public static SweepDto ToDto(this Sweep s) => new(s.Name, s.Project?.Name ?? "", s.Template.Notebook, s.State.ToString().ToUpperInvariant(), s.Message,
        s.Method.ToString().ToLowerInvariant(), s.Spec, s.Objective, s.Direction.ToString().ToLowerInvariant(), s.Target, s.MaxParallel, s.Trials.Count,
        s.Launched, s.BestTrainingName, s.BestValue, s.Template.Parameters, s.Owner, s.CreatedAt, s.EndedAt);

    /// <summary>Every trial of the spec: launched ones with their training's state and objective, the rest still to come.</summary>
    public static IReadOnlyList<TrialDto> TrialsOf(Sweep s, IReadOnlyList<Training> runs) => [.. s.Trials.Select((parameters, i) =>
    {
        var run = runs.FirstOrDefault(r => r.Name == s.TrialName(i + 1));
        return new TrialDto(i + 1, s.TrialName(i + 1), run?.Task.State.ToString().ToUpperInvariant() ?? "PENDING", parameters,
            run is not null && run.Metrics.TryGetValue(s.Objective, out var v) ? v : null, run is not null && run.Id == s.BestTrainingId);
    })];

    public static void MapSweepsApi(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("/sweeps").WithTags("Sweeps");

        g.MapGet("/", async ([AsParameters] ListQuery q, string? project, SweepService s, CancellationToken ct) =>
                (await s.ListAsync(project, q.ToPageRequest(), ct)).ToDto(w => w.ToDto()))
            .WithSummary("List sweeps, newest first (filter by project; search matches name and project).");

        g.MapGet("/{project}/{name}", async (string project, string name, SweepService s, CancellationToken ct) =>
            {
                var sweep = await s.GetAsync(project, name, ct);
                return new SweepDetailDto(sweep.ToDto(), TrialsOf(sweep, await s.TrialsAsync(sweep, ct)));
            })
            .WithSummary("A sweep with each trial: its training, state, parameters and objective value, and which is the best.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        g.MapPost("/", async (StartDto input, SweepService s, CancellationToken ct) =>
            {
                var sweep = await s.StartAsync(new SweepInput
                {
                    Project = input.Project ?? "", Name = input.Name, Notebook = input.Notebook ?? "", ParametersJson = DetailsText(input.Parameters),
                    Spec = SpecText(input.Spec), Objective = input.Objective ?? "", Direction = input.Direction, MaxParallel = input.MaxParallel ?? 2,
                    Target = input.Target, Datasets = input.Datasets ?? [], Env = input.Env ?? [], ResourceProfile = input.ResourceProfile,
                    BuildTag = input.BuildTag, Mounts = input.Mounts ?? [], Pretrained = input.Pretrained,
                }, ct);
                var at = $"/api/v1/sweeps/{Uri.EscapeDataString(sweep.Project!.Name)}/{Uri.EscapeDataString(sweep.Name)}";
                return TypedResults.Created(at, sweep.ToDto());
            })
            .WithSummary("Start a sweep: spec is YAML text or a JSON object ({method: grid|random, trials, seed, parameters: {name: [choices] | "
                + "{min, max, step, log}}}); objective names the metric, direction maximize (default) or minimize, max_parallel (default 2) caps "
                + "trainings at once, target ends the sweep when a trial reaches it. The first trial's launch is checked before anything starts.")
            .ProducesProblem(StatusCodes.Status409Conflict);

        g.MapPost("/{project}/{name}/stop", async (string project, string name, SweepService s, CancellationToken ct) =>
                (await s.StopAsync(project, name, ct)).ToDto())
            .WithSummary("Stop a running sweep; its trials still going are cancelled.")
            .ProducesProblem(StatusCodes.Status409Conflict);

        g.MapPost("/{project}/{name}/promote-best", async (string project, string name, PromoteBestDto? input, SweepService s, ModelVersionService versions,
                CancellationToken ct) =>
                (await s.PromoteBestAsync(project, name, input?.Environment, input?.Comment, ct)).ToDto(versions))
            .WithSummary("Promote the version the best run published to the next environment (or the one given), with a comment naming the sweep.")
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    /// <summary>The spec as text: a JSON string is YAML or JSON text already; a JSON object is kept as JSON (YAML reads it too).</summary>
    private static string SpecText(JsonElement? spec) => spec switch
    {
        { ValueKind: JsonValueKind.String } text => text.GetString() ?? "",
        { ValueKind: JsonValueKind.Object } json => json.GetRawText(),
        _ => "",
    };
}
