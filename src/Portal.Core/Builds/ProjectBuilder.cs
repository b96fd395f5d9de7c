using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Logs;
using Portal.Core.Notifications;
using Portal.Core.Stores;

namespace Portal.Core.Builds;

/// <summary>
/// Builds project images (Noronha's <c>nha proj build</c>) and owns each build run: it alone changes a run, publishing
/// every change on the <see cref="ChangeFeed{T}"/>. <see cref="BuildValidator"/> checks a request, <see cref="BuildRunner"/>
/// does the work; the output streams into the log book while it runs, a success records a <see cref="BuildVersion"/>
/// (a rebuild of a tag replaces it), and the log is kept in the file store either way.
/// </summary>
public sealed class ProjectBuilder(
    BuildValidator validator, BuildRunner runner, IImageBuilder images, IBuildStore builds, TaskLogBook logs, ChangeFeed<BuildRun> feed, TimeProvider clock,
    ILogger<ProjectBuilder> logger)
{
    /// <summary>Ended builds stay listed this long (their logs stay in the file store, and successes as build versions).</summary>
    private static readonly TimeSpan KeepEndedRuns = TimeSpan.FromDays(1);
    private readonly ConcurrentDictionary<string, BuildRun> _runs = new();
    private readonly ConcurrentDictionary<string, Task> _work = new();
    private CancellationToken _stopping = CancellationToken.None;

    /// <summary>Called once by the host; the token cancels builds when the portal shuts down.</summary>
    public void Start(CancellationToken stopping) => _stopping = stopping;

    /// <summary>Why images cannot be built here, or null when they can: the pages offer builds only when they can run.</summary>
    public Task<string?> UnavailableAsync(CancellationToken ct) => images.UnavailableAsync(ct);

    public Task<IReadOnlyList<BuildVersion>> ListVersionsAsync(long projectId, CancellationToken ct) => builds.ListAsync(projectId, ct);

    public BuildRun? GetRun(string id) => _runs.GetValueOrDefault(id);

    /// <summary>Builds started since the portal started, newest first.</summary>
    public IReadOnlyList<BuildRun> RunsOf(string project) =>
        _runs.Values.Where(r => r.Project == project).OrderByDescending(r => r.StartedAt).ToList();

    public Task WhenIdleAsync() => Task.WhenAll(_work.Values);

    public async Task<BuildRun> StartAsync(string projectName, BuildRequest request, CancellationToken ct)
    {
        var plan = await validator.CheckAsync(projectName, request, ct);
        if (await images.UnavailableAsync(ct) is { } why) throw new ContainerManagerException(why);
        var project = plan.Project;
        if (_runs.Values.Any(r => r.ProjectId == project.Id && r.Tag == plan.Tag && r.State == BuildRunState.Running))
            throw new ConflictException($"The tag '{plan.Tag}' of '{project.Name}' is being built already; wait for that build to end.");

        var id = Guid.NewGuid().ToString("N")[..12];
        var run = new BuildRun
        {
            Id = id, Project = project.Name, ProjectId = project.Id, Tag = plan.Tag, Image = plan.Image, From = request.From,
            GitRef = request.From == BuildSource.Git ? request.GitRef?.Trim() : null, StartedAt = clock.GetUtcNow().UtcDateTime,
            LogKey = $"builds/{project.Id}/{id}",
        };
        _runs[id] = run;
        foreach (var old in _runs.Values.Where(r => r.EndedAt is { } ended && clock.GetUtcNow().UtcDateTime - ended > KeepEndedRuns).ToList())
            _runs.TryRemove(old.Id, out _);
        logs.Open(run.LogKey);
        feed.Publish(run);
        _work[id] = Task.Run(() => RunAsync(run, plan, _stopping), CancellationToken.None);
        return run;
    }

    private async Task RunAsync(BuildRun run, BuildPlan plan, CancellationToken ct)
    {
        var log = logs.Open(run.LogKey);
        try
        {
            var outcome = await runner.RunAsync(run, plan, log, ct);
            (run.DockerId, run.GitVersion) = (outcome.DockerId, outcome.GitVersion);
            await builds.SaveAsync(new BuildVersion
            {
                ProjectId = run.ProjectId, Tag = run.Tag, DockerId = run.DockerId, GitVersion = run.GitVersion, BuiltAt = clock.GetUtcNow().UtcDateTime,
                BuiltFrom = run.From, Image = run.Image, LogKey = run.LogKey,
            }, CancellationToken.None);
            log.Append(new LogLine(clock.GetUtcNow().UtcDateTime, LogSource.Stdout, $"Recorded build version '{run.Tag}' ({run.DockerId})"));
            run.State = BuildRunState.Succeeded;
        }
        catch (Exception e) when (e is PortalException or OperationCanceledException)
        {
            Fail(run, log, e is OperationCanceledException ? "The portal stopped during the build." : e.Message);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Build {Run} of {Project} failed unexpectedly", run.Id, run.Project);
            Fail(run, log, $"The build failed unexpectedly: {e.Message}");
        }
        finally
        {
            run.EndedAt = clock.GetUtcNow().UtcDateTime;
            try { await logs.PersistAndCloseAsync(run.LogKey, CancellationToken.None); }
            catch (IOException e) { logger.LogWarning("Could not store the log of build {Run}: {Message}", run.Id, e.Message); }
            _work.TryRemove(run.Id, out _);
            feed.Publish(run);
            logger.LogInformation("Build {Run} of {Project}:{Tag} ended {State}", run.Id, run.Project, run.Tag, run.State);
        }
    }

    private void Fail(BuildRun run, TaskLog log, string message)
    {
        run.Message = message;
        log.Append(new LogLine(clock.GetUtcNow().UtcDateTime, LogSource.Stderr, message));
        run.State = BuildRunState.Failed;
    }
}
