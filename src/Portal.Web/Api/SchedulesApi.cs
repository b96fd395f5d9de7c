using System.Text.Json;
using Portal.Core.Entities;
using Portal.Core.Schedules;
using static Portal.Web.Api.ApiModels;

namespace Portal.Web.Api;

/// <summary>
/// Schedules (Kubeflow's recurring runs): a training launched on a cron schedule, with the model's newest dataset if asked,
/// pause and resume, and its history. Each run is a training under /trainings/{project}/{schedule}-{yyyyMMdd-HHmm}.
/// </summary>
public static class SchedulesApi
{
    public sealed record ScheduleDto(string Name, string Project, string Cron, string TimeZone, string Notebook, Dictionary<string, JsonElement> Parameters,
        IReadOnlyList<string> Datasets, string? NewestDatasetOf, string? ResourceProfile, bool AllowOverlap, bool Paused, DateTime? NextRunAt,
        IReadOnlyList<DateTime> Upcoming, DateTime? LastRunAt, IReadOnlyList<ScheduleFire> History, string Owner, DateTime CreatedAt);

    public sealed record ScheduleDetailDto(ScheduleDto Schedule, IReadOnlyList<TrainingsApi.TrainingDto> Runs);

    public sealed record CreateDto(string Project, string Name, string Cron, string? TimeZone, string Notebook, JsonElement? Parameters,
        IReadOnlyList<string>? Datasets, string? NewestDatasetOf, Dictionary<string, string>? Env, string? ResourceProfile, string? Pretrained,
        string? BuildTag, bool? AllowOverlap);

    public static ScheduleDto ToDto(this TrainingSchedule s, ScheduleService service) => new(s.Name, s.Project?.Name ?? "", s.Cron, s.TimeZone,
        s.Template.Notebook, s.Template.Parameters, s.Template.Datasets, s.NewestDatasetOf, s.Template.ResourceProfile, s.AllowOverlap, s.Paused,
        s.NextRunAt, ScheduleService.Upcoming(s), s.LastRunAt, s.History, s.Owner, s.CreatedAt);

    public static void MapSchedulesApi(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("/schedules").WithTags("Schedules");

        g.MapGet("/", async ([AsParameters] ListQuery q, string? project, ScheduleService s, CancellationToken ct) =>
                (await s.ListAsync(project, q.ToPageRequest(), ct)).ToDto(x => x.ToDto(s)))
            .WithSummary("List schedules by project and name (filter by project; search matches name and project).");

        g.MapGet("/{project}/{name}", async (string project, string name, ScheduleService s, CancellationToken ct) =>
            {
                var schedule = await s.GetAsync(project, name, ct);
                return new ScheduleDetailDto(schedule.ToDto(s), [.. (await s.RunsAsync(schedule, ct)).Select(t => t.ToDto())]);
            })
            .WithSummary("A schedule with its next times, each time it came due (started, skipped while a run was going, or refused, and why) and its runs.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        g.MapPost("/", async (CreateDto input, ScheduleService s, CancellationToken ct) =>
            {
                var schedule = await s.CreateAsync(new ScheduleInput
                {
                    Project = input.Project ?? "", Name = input.Name ?? "", Cron = input.Cron ?? "", TimeZone = input.TimeZone, Notebook = input.Notebook ?? "",
                    ParametersJson = DetailsText(input.Parameters), Datasets = input.Datasets ?? [], NewestDatasetOf = input.NewestDatasetOf,
                    Env = input.Env ?? [], ResourceProfile = input.ResourceProfile, Pretrained = input.Pretrained, BuildTag = input.BuildTag,
                    AllowOverlap = input.AllowOverlap ?? false,
                }, ct);
                var at = $"/api/v1/schedules/{Uri.EscapeDataString(schedule.Project!.Name)}/{Uri.EscapeDataString(schedule.Name)}";
                return TypedResults.Created(at, schedule.ToDto(s));
            })
            .WithSummary("Schedule a training: cron is five fields (minute hour day month weekday) in time_zone (UTC by default); newest_dataset_of "
                + "gives each run the model's newest dataset; a run still going skips the next time unless allow_overlap. The launch is checked now.")
            .ProducesProblem(StatusCodes.Status409Conflict);

        g.MapPost("/{project}/{name}/pause", async (string project, string name, ScheduleService s, CancellationToken ct) =>
                (await s.PauseAsync(project, name, ct)).ToDto(s))
            .WithSummary("Pause a schedule: nothing runs until it is resumed.")
            .ProducesProblem(StatusCodes.Status409Conflict);

        g.MapPost("/{project}/{name}/resume", async (string project, string name, ScheduleService s, CancellationToken ct) =>
                (await s.ResumeAsync(project, name, ct)).ToDto(s))
            .WithSummary("Resume a schedule from now (times missed while paused are not run).")
            .ProducesProblem(StatusCodes.Status409Conflict);

        g.MapDelete("/{project}/{name}", async (string project, string name, ScheduleService s, CancellationToken ct) =>
            {
                await s.DeleteAsync(project, name, ct);
                return Results.NoContent();
            })
            .WithSummary("Delete a schedule; the trainings it launched stay.");
    }
}
