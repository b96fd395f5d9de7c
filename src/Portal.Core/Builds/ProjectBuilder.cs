using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Security;
using Portal.Core.Logs;
using Portal.Core.Storage;
using Portal.Core.Stores;

namespace Portal.Core.Builds;

/// <summary>
/// Builds project images (Noronha's <c>nha proj build</c>): from the home directory's Dockerfile, from the git
/// repository at a ref (recording the commit), or by taking a pre-built image of the docker repository. The
/// output streams into the log book while it runs; a success records a <see cref="BuildVersion"/> (a rebuild of
/// a tag replaces it), and the log is kept in the file store either way.
/// </summary>
public sealed class ProjectBuilder(
    IProjectStore projects, IBuildStore builds, IImageBuilder images, IGitClient git, ProjectImages names, TaskLogBook logs,
    PortalPaths paths, TimeProvider clock, CredentialVault vault, HostPaths hostPaths, ILogger<ProjectBuilder> logger)
{
    /// <summary>Ended builds stay listed this long (their logs stay in the file store, and successes as build versions).</summary>
    private static readonly TimeSpan KeepEndedRuns = TimeSpan.FromDays(1);
    private readonly ConcurrentDictionary<string, BuildRun> _runs = new();
    private readonly ConcurrentDictionary<string, Task> _work = new();
    private CancellationToken _stopping = CancellationToken.None;

    /// <summary>Called once by the host; the token cancels builds when the portal shuts down.</summary>
    public void Start(CancellationToken stopping) => _stopping = stopping;

    public Task<IReadOnlyList<BuildVersion>> ListVersionsAsync(long projectId, CancellationToken ct) => builds.ListAsync(projectId, ct);

    public BuildRun? GetRun(string id) => _runs.GetValueOrDefault(id);

    /// <summary>Builds started since the portal started, newest first.</summary>
    public IReadOnlyList<BuildRun> RunsOf(string project) =>
        _runs.Values.Where(r => r.Project == project).OrderByDescending(r => r.StartedAt).ToList();

    public Task WhenIdleAsync() => Task.WhenAll(_work.Values);

    public async Task<BuildRun> StartAsync(string projectName, BuildRequest request, CancellationToken ct)
    {
        var project = await projects.FindAsync(projectName, ct) ?? throw new NotFoundException("project", projectName);
        var errors = new ValidationErrors();
        var tag = string.IsNullOrWhiteSpace(request.Tag) ? ProjectImages.DefaultTag : request.Tag.Trim();
        if (ProjectImages.CheckTag(tag) is { } tagProblem) errors.Add("tag", tagProblem);
        var dockerfile = string.IsNullOrWhiteSpace(request.Dockerfile) ? "Dockerfile" : request.Dockerfile.Trim().Replace('\\', '/');
        switch (request.From)
        {
            case BuildSource.Local when project.HomeDir is null:
                errors.Add("from", $"The project '{project.Name}' has no home directory; set one, or build from its git repository or docker repository.");
                break;
            case BuildSource.Local when !Directory.Exists(project.HomeDir):
                errors.Add("from", $"The home directory {project.HomeDir} does not exist on the portal's host.");
                break;
            // The home directory is sent to the engine as the build context: its files end up in the image and the log.
            case BuildSource.Local when hostPaths.Problem(project.HomeDir, ActorContext.Current) is { } hostProblem:
                errors.Add("from", hostProblem);
                break;
            case BuildSource.Local when DockerfileProblem(project.HomeDir, dockerfile) is { } problem:
                errors.Add("dockerfile", problem);
                break;
            case BuildSource.Git when string.IsNullOrWhiteSpace(project.GitRepo):
                errors.Add("from", $"The project '{project.Name}' has no git repository; set one, or build from its home directory.");
                break;
            case BuildSource.Git when request.GitRef is { Length: > 0 } gitRef && (gitRef.StartsWith('-') || gitRef.Any(char.IsWhiteSpace)):
                errors.Add("git_ref", $"'{gitRef}' is not a branch, tag or commit name.");
                break;
            case BuildSource.PreBuilt when string.IsNullOrWhiteSpace(project.DockerRepo):
                errors.Add("from", $"The project '{project.Name}' has no docker repository to take a pre-built image from.");
                break;
        }
        errors.ThrowIfAny();
        var access = await AccessAsync(request, project, ct);
        if (_runs.Values.Any(r => r.ProjectId == project.Id && r.Tag == tag && r.State == BuildRunState.Running))
            throw new ConflictException($"The tag '{tag}' of '{project.Name}' is being built already; wait for that build to end.");

        var id = Guid.NewGuid().ToString("N")[..12];
        var run = new BuildRun
        {
            Id = id,
            Project = project.Name,
            ProjectId = project.Id,
            Tag = tag,
            Image = names.For(project, tag, request.From),
            From = request.From,
            GitRef = request.From == BuildSource.Git ? request.GitRef?.Trim() : null,
            StartedAt = clock.GetUtcNow().UtcDateTime,
            LogKey = $"builds/{project.Id}/{id}",
        };
        _runs[id] = run;
        foreach (var old in _runs.Values.Where(r => r.EndedAt is { } ended && clock.GetUtcNow().UtcDateTime - ended > KeepEndedRuns).ToList())
            _runs.TryRemove(old.Id, out _);
        logs.Open(run.LogKey);
        _work[id] = Task.Run(() => RunAsync(run, project, dockerfile, access, _stopping), CancellationToken.None);
        return run;
    }

    /// <summary>The credential a build asked for, decrypted now (on behalf of the user who started it) and kept only for this build.</summary>
    private async Task<(string? Name, GitAuth? Git, RegistryAuth? Registry)> AccessAsync(BuildRequest request, Project project, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Credential)) return (null, null, null);
        var actor = ActorContext.Current ?? throw new AccessDeniedException("Sign in to build with a credential.");
        var (credential, secret) = await vault.RevealAsync(actor, request.Credential.Trim(), ct);
        var user = CredentialVault.Detail(credential, "username");
        (string? Name, GitAuth? Git, RegistryAuth? Registry) access = (request.From, credential.Kind) switch
        {
            (BuildSource.Git, CredentialKind.Git or CredentialKind.Basic) => (credential.Name, new GitAuth(user, secret), null),
            (BuildSource.PreBuilt, CredentialKind.Docker or CredentialKind.Basic) =>
                (credential.Name, null, new RegistryAuth(user ?? "", secret, credential.Uri)),
            (BuildSource.PreBuilt, CredentialKind.Ecr) => throw new ValidationFailedException("credential",
                "An ECR credential needs an AWS token exchange the portal does not do yet; store the registry login (aws ecr get-login-password) as a docker credential."),
            (BuildSource.Local, _) => throw new ValidationFailedException("credential", "A build from the home directory reads local files; it needs no credential."),
            _ => throw new ValidationFailedException("credential",
                $"The credential '{credential.Name}' is a {credential.Kind} credential; a {request.From} build needs {(request.From == BuildSource.Git ? "a git or basic" : "a docker or basic")} one."),
        };
        // The repository is the project's, which others may edit; the credential goes only where its owner said.
        CredentialScope.Check(credential, request.From == BuildSource.Git ? project.GitRepo! : project.DockerRepo!, "credential");
        return access;
    }

    private async Task RunAsync(BuildRun run, Project project, string dockerfile, (string? Name, GitAuth? Git, RegistryAuth? Registry) access, CancellationToken ct)
    {
        var log = logs.Open(run.LogKey);
        Task Say(string line) { log.Append(new LogLine(clock.GetUtcNow().UtcDateTime, LogSource.Stdout, line)); return Task.CompletedTask; }
        var checkout = Path.Combine(paths.DataDir, "work", "builds", run.Id);
        try
        {
            switch (run.From)
            {
                case BuildSource.Local:
                    await Say($"Building {run.Image} from {project.HomeDir} ({dockerfile})");
                    run.DockerId = await images.BuildAsync(project.HomeDir!, run.Image, dockerfile, Say, ct);
                    break;
                case BuildSource.Git:
                    await Say($"Cloning {project.GitRepo} at {run.GitRef ?? "its default branch"}{(access.Name is null ? "" : $" with the credential '{access.Name}'")}");
                    run.GitVersion = await git.CheckoutAsync(project.GitRepo!, run.GitRef, checkout, access.Git, Say, ct);
                    await Say($"Commit {run.GitVersion}");
                    if (DockerfileProblem(checkout, dockerfile) is { } problem) throw new ValidationFailedException("dockerfile", problem);
                    await Say($"Building {run.Image} ({dockerfile})");
                    run.DockerId = await images.BuildAsync(checkout, run.Image, dockerfile, Say, ct);
                    break;
                case BuildSource.PreBuilt:
                    run.DockerId = await images.ImageIdAsync(run.Image, ct);
                    if (run.DockerId is null)
                    {
                        await Say($"{run.Image} is not on this host; pulling it");
                        run.DockerId = await images.PullAsync(run.Image, access.Registry, Say, ct);
                    }
                    await Say($"Using the pre-built image {run.Image}");
                    break;
            }
            await builds.SaveAsync(new BuildVersion
            {
                ProjectId = run.ProjectId,
                Tag = run.Tag,
                DockerId = run.DockerId,
                GitVersion = run.GitVersion,
                BuiltAt = clock.GetUtcNow().UtcDateTime,
                BuiltFrom = run.From,
                Image = run.Image,
                LogKey = run.LogKey,
            }, CancellationToken.None);
            await Say($"Recorded build version '{run.Tag}' ({run.DockerId})");
            run.State = BuildRunState.Succeeded;
        }
        catch (Exception e) when (e is PortalException or OperationCanceledException)
        {
            run.Message = e is OperationCanceledException ? "The portal stopped during the build." : e.Message;
            log.Append(new LogLine(clock.GetUtcNow().UtcDateTime, LogSource.Stderr, run.Message));
            run.State = BuildRunState.Failed;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Build {Run} of {Project} failed unexpectedly", run.Id, run.Project);
            run.Message = $"The build failed unexpectedly: {e.Message}";
            log.Append(new LogLine(clock.GetUtcNow().UtcDateTime, LogSource.Stderr, run.Message));
            run.State = BuildRunState.Failed;
        }
        finally
        {
            run.EndedAt = clock.GetUtcNow().UtcDateTime;
            try { await logs.PersistAndCloseAsync(run.LogKey, CancellationToken.None); }
            catch (IOException e) { logger.LogWarning("Could not store the log of build {Run}: {Message}", run.Id, e.Message); }
            if (Directory.Exists(checkout)) Directory.Delete(checkout, recursive: true);
            _work.TryRemove(run.Id, out _);
            logger.LogInformation("Build {Run} of {Project}:{Tag} ended {State}", run.Id, run.Project, run.Tag, run.State);
        }
    }

    private static string? DockerfileProblem(string root, string dockerfile)
    {
        if (dockerfile.StartsWith('/') || dockerfile.Split('/').Any(s => s is ".." or ""))
            return $"'{dockerfile}' must be a path inside the project, like Dockerfile or docker/Dockerfile.";
        return File.Exists(Path.Combine(root, dockerfile)) ? null : $"There is no {dockerfile} in {root}.";
    }
}
