using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Logs;

namespace Portal.Core.Builds;

/// <summary>What a finished build produced: the image's id, and the commit it was built from (git builds).</summary>
public sealed record BuildOutcome(string? DockerId, string? GitVersion);

/// <summary>
/// Does one build, writing its output to the log: the home directory's Dockerfile through the engine, the git repository
/// cloned at its ref and then built, or the docker repository's image taken (pulled when missing). An image it builds is
/// pushed to docker.target_registry when one is set, so that every node of a swarm can pull it. Changes no record:
/// <see cref="ProjectBuilder"/> owns the run.
/// </summary>
public sealed class BuildRunner(IImageBuilder images, ProjectImages names, IGitClient git, PortalPaths paths, TimeProvider clock)
{
    public async Task<BuildOutcome> RunAsync(BuildRun run, BuildPlan plan, TaskLog log, CancellationToken ct)
    {
        Task Say(string line) { log.Append(new LogLine(clock.GetUtcNow().UtcDateTime, LogSource.Stdout, line)); return Task.CompletedTask; }
        var outcome = await MakeAsync(run, plan, Say, ct);
        if (run.From != BuildSource.PreBuilt && names.PushesTo)
        {
            await Say($"Pushing {run.Image} (docker.target_registry)");
            await Say($"Pushed {run.Image}@{await images.PushAsync(run.Image, null, Say, ct)}");
        }
        return outcome;
    }

    private async Task<BuildOutcome> MakeAsync(BuildRun run, BuildPlan plan, Func<string, Task> say, CancellationToken ct)
    {
        var project = plan.Project;
        switch (run.From)
        {
            case BuildSource.Local:
                await say($"Building {run.Image} from {project.HomeDir} ({plan.Dockerfile})");
                return new BuildOutcome(await images.BuildAsync(project.HomeDir!, run.Image, plan.Dockerfile, say, ct), null);
            case BuildSource.Git:
                // Named for this process, so that a start after a crash removes what it left (ArtifactRepair).
                var checkout = Path.Combine(paths.DataDir, "work", "builds", $"{Storage.OwnerProcess.Tag}_{run.Id}");
                try
                {
                    await say($"Cloning {project.GitRepo} at {run.GitRef ?? "its default branch"}{(plan.Access.Name is null ? "" : $" with the credential '{plan.Access.Name}'")}");
                    var commit = await git.CheckoutAsync(project.GitRepo!, run.GitRef, checkout, plan.Access.Git, say, ct);
                    await say($"Commit {commit}");
                    if (BuildValidator.DockerfileProblem(checkout, plan.Dockerfile) is { } problem) throw new ValidationFailedException("dockerfile", problem);
                    await say($"Building {run.Image} ({plan.Dockerfile})");
                    return new BuildOutcome(await images.BuildAsync(checkout, run.Image, plan.Dockerfile, say, ct), commit);
                }
                finally
                {
                    if (Directory.Exists(checkout)) Directory.Delete(checkout, recursive: true);
                }
            default:
                var id = await images.ImageIdAsync(run.Image, ct);
                if (id is null)
                {
                    await say($"{run.Image} is not on this host; pulling it");
                    id = await images.PullAsync(run.Image, plan.Access.Registry, say, ct);
                }
                await say($"Using the pre-built image {run.Image}");
                return new BuildOutcome(id, null);
        }
    }
}
