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
/// where a training's results come back: the one place that decides what a task token or a deployment's grant may
/// read and write.
/// </summary>
public sealed class WorkFilesService(
    TrainingService trainings, IDeploymentStore deployments, WorkGrants grants, TrainingWorkspace workspace, UploadLimits limits, HostPaths hostPaths)
{
    /// <summary>The results a training may send back, as the toolkit's runner names them in its workspace.</summary>
    public static readonly IReadOnlySet<string> Results = new HashSet<string>([TrainingPaths.Output, TrainingPaths.OutputHtml, TrainingPaths.Failure]);

    /// <summary>
    /// Who a bearer token stands for: a running (or waiting) training, or an existing deployment. Otherwise the caller is
    /// null and the refusal says why (an ended training's token is known, and told so).
    /// </summary>
    public async Task<(WorkCaller? Caller, string Refusal)> AdmitAsync(string token, CancellationToken ct)
    {
        if (await trainings.FindByTaskTokenAsync(token, ct) is { } training)
            return training.Task.State is TaskState.Running or TaskState.Waiting
                ? (new WorkCaller(training.Project!, training, null), "")
                : (null, $"The training '{training.Name}' is {training.Task.State.ToString().ToUpperInvariant()}; its token admits nothing more.");
        if (grants.Read(token) is { } grant && await deployments.FindAsync(grant.Deployment, ct) is { } deployment && deployment.Id == grant.DeploymentId)
            return (new WorkCaller(deployment.Project!, null, grant), "");
        return (null, "The task token is not valid: it is neither a running training's task token nor an existing deployment's grant.");
    }

    /// <summary>Datasets are a training's to read; a deployment serves a version and reads nothing else.</summary>
    public static void CheckDataset(WorkCaller caller)
    {
        if (caller.Training is null) throw new AccessDeniedException("A deployment's grant reads only the model version it serves.");
    }

    public static void CheckVersion(WorkCaller caller, ModelVersion version)
    {
        if (caller.Grant is { } grant && grant.VersionId != version.Id)
            throw new AccessDeniedException("A deployment's grant reads only the model version it serves.");
    }

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
        var dir = workspace.DirectoryFor(training.Id);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, file);
        var partial = path + ".partial";
        await using (var target = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
        await using (var limited = new HashingLimitStream(target, limits.MaxUploadBytes, file))
        {
            await content.CopyToAsync(limited, ct);
        }
        File.Move(partial, path, overwrite: true);
    }

    /// <summary>The caller's project's home directory; one that has become a link into the portal's data is refused.</summary>
    public string ProjectHome(WorkCaller caller)
    {
        var home = caller.Project.HomeDir ?? throw new NotFoundException("home directory of project", caller.Project.Name);
        return hostPaths.DataDirProblem(home) is { } problem ? throw new AccessDeniedException(problem) : home;
    }

    /// <summary>A home directory as a gzipped tar, written as it is read; links are kept as links, never followed.</summary>
    public static async Task WriteProjectAsync(string home, Stream target, CancellationToken ct)
    {
        await using var gzip = new GZipStream(target, CompressionLevel.Fastest, leaveOpen: true);
        await TarFile.CreateFromDirectoryAsync(home, gzip, includeBaseDirectory: false, ct);
    }
}

/// <summary>A running training (its task token) or a deployment (its grant), and the project its work belongs to.</summary>
public sealed record WorkCaller(Project Project, Training? Training, DeploymentGrant? Grant);
