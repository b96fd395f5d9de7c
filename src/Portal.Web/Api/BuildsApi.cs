using System.Text;
using Portal.Core.Builds;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Logs;
using Portal.Core.Services;

namespace Portal.Web.Api;

public static class BuildsApi
{
    public sealed record BuildVersionDto(string Tag, string? Image, string? DockerId, string? GitVersion, DateTime BuiltAt, string BuiltFrom);

    public sealed record BuildRunDto(string Id, string Project, string Tag, string Image, string From, string? GitRef, string State,
        string? Message, string? DockerId, string? GitVersion, DateTime StartedAt, DateTime? EndedAt);

    public sealed record BuildDto(string? From, string? Tag, string? GitRef, string? Dockerfile, string? Credential);

    public static BuildVersionDto ToDto(this BuildVersion v) => new(v.Tag, v.Image, v.DockerId, v.GitVersion, v.BuiltAt, Source(v.BuiltFrom));

    public static BuildRunDto ToDto(this BuildRun r) => new(r.Id, r.Project, r.Tag, r.Image, Source(r.From), r.GitRef, r.State.ToString().ToUpperInvariant(),
        r.Message, r.DockerId, r.GitVersion, r.StartedAt, r.EndedAt);

    private static string Source(BuildSource s) => s switch { BuildSource.Local => "home_dir", BuildSource.Git => "git", _ => "docker" };

    private static BuildSource ParseSource(string? s) => s switch
    {
        null or "" or "home_dir" or "local" => BuildSource.Local,
        "git" => BuildSource.Git,
        "docker" or "pre_built" => BuildSource.PreBuilt,
        _ => throw new ValidationFailedException("from", $"'{s}' is not a build source; use home_dir, git or docker."),
    };

    public static void MapBuildsApi(this RouteGroupBuilder v1)
    {
        var p = v1.MapGroup("/projects/{project}/builds").WithTags("Builds");

        p.MapGet("/", async (string project, ProjectService projects, ProjectBuilder builder, CancellationToken ct) =>
                (await builder.ListVersionsAsync((await projects.GetAsync(project, ct)).Id, ct)).Select(v => v.ToDto()))
            .WithSummary("The project's build versions, newest first.");

        p.MapPost("/", async (string project, BuildDto input, ProjectBuilder builder, CancellationToken ct) =>
            {
                var run = await builder.StartAsync(project, new BuildRequest { From = ParseSource(input.From), Tag = input.Tag, GitRef = input.GitRef, Dockerfile = input.Dockerfile, Credential = input.Credential }, ct);
                return Results.Accepted($"/api/v1/builds/{run.Id}", run.ToDto());
            })
            .WithSummary("Start a build (from home_dir, git at git_ref, or a pre-built docker image); follow it at /api/v1/builds/{id}.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);

        p.MapGet("/{tag}/log", async (string project, string tag, long? from, bool? follow, ProjectService projects, ProjectBuilder builder, TaskLogBook logs,
                HttpContext http, CancellationToken ct) =>
            {
                var id = (await projects.GetAsync(project, ct)).Id;
                var version = (await builder.ListVersionsAsync(id, ct)).FirstOrDefault(v => v.Tag == tag) ?? throw new NotFoundException($"build of '{project}'", tag);
                if (version.LogKey is null) throw new NotFoundException($"build log of '{project}'", tag);
                return LogResults.For(http, logs, version.LogKey, from, follow, $"{project}-{tag}-build.log");
            })
            .WithSummary("The log of the build that produced this tag: text, or with follow=true events (see the training log).");

        var runs = v1.MapGroup("/builds").WithTags("Builds");
        runs.MapGet("/{id}", (string id, ProjectBuilder builder) =>
                builder.GetRun(id) is { } run ? Results.Ok(run.ToDto()) : throw new NotFoundException("build", id))
            .WithSummary("A build started since the portal started: its state, and on success its image id.");
        runs.MapGet("/{id}/log", (string id, long? from, bool? follow, ProjectBuilder builder, TaskLogBook logs, HttpContext http) =>
            {
                var run = builder.GetRun(id) ?? throw new NotFoundException("build", id);
                return LogResults.For(http, logs, run.LogKey, from, follow, $"{run.Project}-{run.Tag}-build.log");
            })
            .WithSummary("A build's log: text, or with follow=true events until the build ends (see the training log).");
    }
}
