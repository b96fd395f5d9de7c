using System.Formats.Tar;
using System.IO.Compression;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Security;
using Portal.Core.Services;
using Portal.Core.Storage;
using Portal.Core.Stores;
using Portal.Core.Trainings;

namespace Portal.Core.WorkFiles;

/// <summary>
/// What work on another node fetches through the portal instead of mounting it (see <see cref="WorkStaging"/>), and
/// where a training's results come back: the one place that decides what a task token or a grant (a deployment's, an IDE
/// session's) may read and write.
/// </summary>
public sealed class WorkFilesService(
    TrainingService trainings, IDeploymentStore deployments, IIdeSessionStore sessions, WorkGrants grants, TrainingWorkspace workspace,
    UploadLimits limits, HostPaths hostPaths)
{
    /// <summary>The results a training may send back, as the toolkit's runner names them in its workspace.</summary>
    public static readonly IReadOnlySet<string> Results =
        new HashSet<string>([TrainingPaths.Output, TrainingPaths.OutputHtml, TrainingPaths.Failure]);

    /// <summary>
    /// Who a bearer token stands for: a running (or waiting) training, an existing deployment or an open IDE session.
    /// Otherwise the caller is null and the refusal says why (an ended training's token is known, and told so).
    /// </summary>
    public async Task<(WorkCaller? Caller, string Refusal)> AdmitAsync(string token, CancellationToken ct)
    {
        if (await trainings.FindByTaskTokenAsync(token, ct) is { } training)
            return training.Task.State is TaskState.Running or TaskState.Waiting
                ? (new WorkCaller(training.Project, training, null), "")
                : (null, $"The training '{training.Name}' is {training.Task.State.ToString().ToUpperInvariant()}; " +
                         "its token admits nothing more.");
        var caller = grants.Read(token) switch
        {
            { Kind: WorkGrantKind.Deployment } g =>
                await deployments.FindAsync(g.Name, ct) is { } d && d.Id == g.Id ? new WorkCaller(d.Project, null, g) : null,
            { Kind: WorkGrantKind.Ide, User: { } user } g =>
                await sessions.FindAsync(user, g.Name, ct) is { } s && s.Id == g.Id && s.Task.State is TaskState.Running or TaskState.Waiting
                    ? new WorkCaller(null, null, g)
                    : null,
            _ => null,
        };
        return caller is null
            ? (null, "The task token is not valid: it is neither a running training's task token nor the grant of a deployment " +
                     "or an open IDE session.")
            : (caller, "");
    }

    /// <summary>A training reads any dataset (Noronha's require_dataset); a grant only those it names.</summary>
    public static void CheckDataset(WorkCaller caller, Dataset dataset)
    {
        if (caller.Grant is { } grant && !grant.Datasets.Contains(dataset.Id))
            throw new AccessDeniedException($"This {Holder(grant)} reads only the datasets it was given; '{dataset.Name}' is not one.");
    }

    public static void CheckVersion(WorkCaller caller, ModelVersion version)
    {
        if (caller.Grant is { } grant && !grant.Versions.Contains(version.Id))
            throw new AccessDeniedException($"This {Holder(grant)} reads only the model versions it was given; '{version.Name}' is not one.");
    }

    private static string Holder(WorkGrant grant) => grant.Kind == WorkGrantKind.Ide ? "IDE session" : "deployment";

    /// <summary>The injected notebook the training runs.</summary>
    public Stream OpenNotebook(WorkCaller caller)
    {
        var training = caller.Training ?? throw new AccessDeniedException("Only a training has a notebook to run.");
        var path = Path.Combine(workspace.DirectoryFor(training.Id), TrainingPaths.Input);
        return File.Exists(path) ? File.OpenRead(path) : throw new NotFoundException("notebook of training", training.Name);
    }

    /// <summary>Puts one result file where the mounted workspace would have had it; collected when the training ends.</summary>
    public async Task SaveResultAsync(WorkCaller caller, string file, Stream content, CancellationToken ct)
    {
        var training = caller.Training ?? throw new AccessDeniedException("Only a training sends results.");
        if (!Results.Contains(file))
            throw new ValidationFailedException("file", $"'{file}' is not a training result; send one of {string.Join(", ", Results.Order())}.");
        await SaveAsync(workspace.DirectoryFor(training.Id), file, content, ct);
    }

    /// <summary>One predictions file of a batch job on another node, put where the mounted workspace would have had it.</summary>
    public async Task SavePredictionsAsync(WorkCaller caller, string file, Stream content, CancellationToken ct)
    {
        if (caller.Training is not { Kind: TrainingKind.Batch } job) throw new AccessDeniedException("Only a batch job sends predictions.");
        SafeFileName.Require(file, "file");
        await SaveAsync(Path.Combine(workspace.DirectoryFor(job.Id), Batch.BatchNotebook.ScoredFolder), file, content, ct);
    }

    private async Task SaveAsync(string dir, string file, Stream content, CancellationToken ct)
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, file);
        var partial = path + ".partial";
        try
        {
            await using (var target = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            await using (var limited = new HashingLimitStream(target, limits.MaxUploadBytes, file))
            {
                await content.CopyToAsync(limited, ct);
            }
            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            // A result cut short (too large, the connection lost) leaves nothing behind; the last whole one stays.
            File.Delete(partial);
        }
    }

    /// <summary>The caller's project's home directory; one that has become a link into the portal's data is refused.</summary>
    public string ProjectHome(WorkCaller caller)
    {
        var project = caller.Project
            ?? throw new AccessDeniedException("An IDE session has no project to fetch; it mounts the one it edits.");
        var home = project.HomeDir ?? throw new NotFoundException("home directory of project", project.Name);
        return hostPaths.DataDirProblem(home) is { } problem ? throw new AccessDeniedException(problem) : home;
    }

    /// <summary>A home directory as a gzipped tar, written as it is read; links are kept as links, never followed.</summary>
    public static async Task WriteProjectAsync(string home, Stream target, CancellationToken ct)
    {
        await using var gzip = new GZipStream(target, CompressionLevel.Fastest, leaveOpen: true);
        await TarFile.CreateFromDirectoryAsync(home, gzip, includeBaseDirectory: false, ct);
    }
}

/// <summary>A running training (its task token), or a deployment or IDE session (its grant), and its project (none for a session).</summary>
public sealed record WorkCaller(Project? Project, Training? Training, WorkGrant? Grant);
