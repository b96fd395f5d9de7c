using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Portal.Core.Builds;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Names;
using Portal.Core.Notebooks;
using Portal.Core.Storage;
using Portal.Core.Stores;

namespace Portal.Core.Services;

/// <summary>
/// Trainings: launch a parameterized notebook run (checked before anything starts), cancel it, take the reports
/// its toolkit sends with the task token, and read its results. <see cref="TrainingSupervisor"/> follows each run.
/// </summary>
public sealed partial class TrainingService(
    ITrainingStore trainings, IProjectStore projects, IDatasetStore datasets, IBuildStore builds, IModelVersionStore versions, IContainerManager manager, ResourceProfiles profiles,
    TrainingWorkspace workspace, TrainingSupervisor supervisor, IPortalAddress portal, IFileStore files, IImageFiles imageFiles, Security.HostPaths hostPaths, TimeProvider clock)
{
    public const string NotebookKey = "executed.ipynb";
    public const string HtmlKey = "executed.html";

    public static string StorageKey(long id) => $"trainings/{id}";
    public static string LogKey(long id) => $"trainings/{id}";

    public Task<Page<Training>> ListAsync(string? project, PageRequest request, CancellationToken ct) => trainings.ListAsync(project, request, ct);

    public async Task<Training> GetAsync(string project, string name, CancellationToken ct) =>
        await trainings.FindAsync(project, name, ct) ?? throw new NotFoundException($"training in project '{project}'", name);

    public async Task<Training> LaunchAsync(TrainingInput input, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var project = await projects.FindAsync(input.Project?.Trim() ?? "", ct);
        if (project is null) errors.Add("project", $"There is no project named '{input.Project}'.");
        // Checked again at each use: the folder may have become a link elsewhere since the project was registered.
        else if (project.HomeDir is { } home && hostPaths.Problem(home, Security.ActorContext.Current) is { } homeProblem)
            errors.Add("project", homeProblem);
        var name = string.IsNullOrWhiteSpace(input.Name) ? ReadableNames.Next() : input.Name.Trim();
        InputRules.Name(errors, "name", name, "training name");
        var notebookPath = input.Notebook?.Trim().Replace('\\', '/') ?? "";
        if (NotebookPathProblem(notebookPath) is { } problem) errors.Add("notebook", problem);
        var parameters = InputRules.Details(errors, "parameters", input.ParametersJson);
        foreach (var key in input.Env.Keys.Where(k => !EnvName().IsMatch(k) || k.StartsWith("PORTAL_", StringComparison.Ordinal)))
            errors.Add("env", $"'{key}' cannot be a variable name: use letters, digits and '_' (not starting with a digit); PORTAL_ names are the portal's.");
        (string Name, Configuration.ResourceProfile? Profile) profile = default;
        try { profile = profiles.Resolve(input.ResourceProfile, ResourceProfiles.Train); }
        catch (ValidationFailedException e) { foreach (var (f, m) in e.Errors) foreach (var msg in m) errors.Add(f, msg); }

        var mounted = new List<Dataset>();
        foreach (var reference in input.Datasets.Where(d => !string.IsNullOrWhiteSpace(d)).Distinct())
        {
            var dataset = await datasets.FindByReferenceAsync(reference, ct);
            if (dataset is null) errors.Add("datasets", $"There is no dataset '{reference}'; write it as model/dataset.");
            else mounted.Add(dataset);
        }
        var extraMounts = ParseMounts(errors, input.Mounts, hostPaths);
        if (extraMounts.Count > 0 && manager.Kind == "local")
            errors.Add("mounts", "Extra mounts need a container manager (docker, swarm or kube); local processes read host paths directly, so pass the path as a parameter instead.");
        ModelVersion? pretrained = null;
        if (!string.IsNullOrWhiteSpace(input.Pretrained))
        {
            pretrained = await versions.FindByReferenceAsync(input.Pretrained, ct);
            if (pretrained is null) errors.Add("pretrained", $"There is no model version '{input.Pretrained.Trim()}'; write it as model/version.");
        }
        BuildVersion? build = null;
        var buildTag = string.IsNullOrWhiteSpace(input.BuildTag) ? null : input.BuildTag.Trim();
        if (project is not null && buildTag is not null && (build = await builds.FindAsync(project.Id, buildTag, ct)) is null)
            errors.Add("build_tag", $"The project '{project.Name}' has no build tagged '{buildTag}'; build it first, or leave the tag empty to use {ProjectImages.NotebookBase}.");
        if (project is not null) ImageCode.CheckSource(errors, imageFiles, project, buildTag, "notebook is read");
        if (errors.IsEmpty && await trainings.FindAsync(project!.Name, name, ct) is not null)
            errors.Add("name", $"The project '{project.Name}' already has a training named '{name}'.");
        errors.ThrowIfAny();

        ArgumentNullException.ThrowIfNull(project);
        var (notebookJson, kernelDir) = await ReadNotebookAsync(project, build, notebookPath, ct);
        var injected = ParameterInjector.Inject(notebookJson, parameters);

        var health = await manager.CheckAsync(ct);
        if (!health.Ready)
            throw new ConflictException($"{health.Summary} {string.Join(" ", health.Problems)}");

        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow().UtcDateTime;
        var training = await trainings.AddAsync(new Training
        {
            Name = name,
            ProjectId = project.Id,
            Project = project,
            Notebook = notebookPath,
            Parameters = parameters,
            ResourceProfile = profile.Name,
            Datasets = mounted.Select(d => new DatasetRef(d.Model!.Name, d.Name, d.Id)).ToList(),
            Env = input.Env.ToDictionary(),
            Mounts = extraMounts,
            PretrainedId = pretrained?.Id,
            PretrainedName = pretrained is null ? null : $"{pretrained.Model!.Name}/{pretrained.Name}",
            Manager = manager.Kind,
            TaskTokenHash = HashToken(token),
            BuildTag = buildTag,
            BuildVersionId = build?.Id,
            Task = new TaskInfo { State = TaskState.Waiting, UpdateTime = now },
            CreatedAt = now,
        }, ct);

        try
        {
            var dir = workspace.DirectoryFor(training.Id);
            Directory.CreateDirectory(dir);
            await File.WriteAllTextAsync(Path.Combine(dir, TrainingWorkspace.Input), injected, new UTF8Encoding(false), ct);
            // Compressed artifacts are unpacked into the workspace, so they go with it.
            var datasetFolders = new List<(string Name, string Folder)>();
            foreach (var d in mounted) datasetFolders.Add((d.Name, await ArtifactFolders.OfDatasetAsync(files, d, dir, ct)));
            var pretrainedFolder = pretrained is null ? null : await ArtifactFolders.OfModelVersionAsync(files, pretrained, dir, ct);
            var apiUrl = await portal.ApiBaseUrlForAsync(manager.Kind, ct);
            var spec = BuildSpec(training, project, build?.Image ?? ProjectImages.NotebookBase, kernelDir, datasetFolders, pretrainedFolder, profile.Profile, dir, token, apiUrl);
            var workloadId = await manager.StartAsync(spec, ct);
            training = await trainings.MutateAsync(training.Id, t =>
            {
                t.WorkloadId = workloadId;
                t.Task = new TaskInfo { State = TaskState.Waiting, Message = "Starting.", UpdateTime = clock.GetUtcNow().UtcDateTime };
            }, ct);
            supervisor.Watch(training);
            return training;
        }
        catch (Exception e) when (e is PortalException or IOException)
        {
            await trainings.MutateAsync(training.Id, t => t.Task = t.Task with { State = TaskState.Failed, Message = $"Could not start: {e.Message}", UpdateTime = clock.GetUtcNow().UtcDateTime }, CancellationToken.None);
            throw;
        }
    }

    public async Task CancelAsync(string project, string name, CancellationToken ct)
    {
        var training = await GetAsync(project, name, ct);
        if (training.Task.State is not (TaskState.Waiting or TaskState.Running))
            throw new ConflictException($"The training '{name}' is {training.Task.State.ToString().ToUpperInvariant()}; only waiting or running trainings can be cancelled.");
        await trainings.MutateAsync(training.Id, t => t.CancelRequested = true, ct);
        if (training.WorkloadId is not null) await manager.StopAsync(training.WorkloadId, ct);
    }

    /// <summary>A report from a running notebook's toolkit: progress (0..1) and metrics, accepted only with that task's token.</summary>
    public async Task<Training> ReportAsync(string token, double? progress, IReadOnlyDictionary<string, double>? metrics, CancellationToken ct)
    {
        var training = await trainings.FindByTokenHashAsync(HashToken(token), ct)
            ?? throw new UnauthorizedAccessException("The task token is not valid.");
        if (training.Task.State is not (TaskState.Running or TaskState.Waiting))
            throw new ConflictException($"The training '{training.Name}' is {training.Task.State.ToString().ToUpperInvariant()}; it takes no more reports.");
        if (progress is { } p && (p < 0 || p > 1 || double.IsNaN(p)))
            throw new ValidationFailedException("progress", $"Progress must be between 0 and 1, not {p}.");
        return await supervisor.UpdateAsync(training.Id, t =>
        {
            if (t.Task.State is not (TaskState.Running or TaskState.Waiting)) return;
            // A report proves the notebook runs, even if the supervisor has not polled the engine since.
            var now = clock.GetUtcNow().UtcDateTime;
            t.Task = t.Task with { State = TaskState.Running, Message = null, StartTime = t.Task.StartTime ?? now, Progress = progress ?? t.Task.Progress, UpdateTime = now };
            foreach (var (k, v) in metrics ?? new Dictionary<string, double>()) t.Metrics[k] = v;
            t.Metrics = new Dictionary<string, double>(t.Metrics);
        }, ct);
    }

    public async Task<DownloadableFile?> OpenResultAsync(string project, string name, string file, CancellationToken ct)
    {
        var training = await GetAsync(project, name, ct);
        var key = $"{StorageKey(training.Id)}/{file}";
        if (!await files.ExistsAsync(key, ct)) return null;
        var stream = await files.OpenReadAsync(key, ct);
        return new DownloadableFile(file, stream.Length, stream);
    }

    public static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static WorkloadSpec BuildSpec(Training training, Project project, string image, string kernelDir, List<(string Name, string Folder)> datasetFolders, string? pretrainedFolder,
        Configuration.ResourceProfile? profile, string dir, string token, string apiUrl)
    {
        var mounts = new List<MountSpec> { new(dir, TrainingWorkspace.MountPoint) };
        if (project.HomeDir is not null) mounts.Add(new MountSpec(project.HomeDir, TrainingWorkspace.ProjectMountPoint, ReadOnly: true));
        mounts.AddRange(training.Mounts.Select(m => new MountSpec(m.Source, m.Target, m.ReadOnly)));
        mounts.AddRange(datasetFolders.Select(d => new MountSpec(d.Folder, $"{TrainingWorkspace.DatasetsMountPoint}/{d.Name}", ReadOnly: true)));
        if (pretrainedFolder is not null) mounts.Add(new MountSpec(pretrainedFolder, TrainingWorkspace.PretrainedMountPoint, ReadOnly: true));

        var env = new Dictionary<string, string>(training.Env)
        {
            ["PORTAL_API_URL"] = apiUrl,
            ["PORTAL_TASK_TOKEN"] = token,
            ["PORTAL_TRAINING"] = training.Name,
            ["PORTAL_PROJECT"] = project.Name,
            ["PORTAL_DATASETS_DIR"] = TrainingWorkspace.DatasetsMountPoint,
            ["PORTAL_PRETRAINED_DIR"] = TrainingWorkspace.PretrainedMountPoint,
            ["PORTAL_WORK_DIR"] = TrainingWorkspace.MountPoint,
        };
        return new WorkloadSpec
        {
            Name = $"train-{training.Id}",
            Image = image,
            Command = ["python3", "-m", "portal_toolkit.run",
                $"{TrainingWorkspace.MountPoint}/{TrainingWorkspace.Input}", $"{TrainingWorkspace.MountPoint}/{TrainingWorkspace.Output}", "--cwd", kernelDir],
            Env = env,
            Mounts = mounts,
            Resources = profile,
            Labels = PortalLabels.For("training", training.Id, training.Name, project.Name),
        };
    }

    /// <summary>The notebook's text and the folder its kernel starts in: the project's home directory, mounted, or else the build's image.</summary>
    private async Task<(string Json, string KernelDir)> ReadNotebookAsync(Project project, BuildVersion? build, string notebookPath, CancellationToken ct)
    {
        if (project.HomeDir is null)
        {
            ArgumentNullException.ThrowIfNull(build);
            var (file, problem) = await ImageCode.FindAsync(imageFiles, build, notebookPath, $"notebook '{notebookPath}'", ct);
            return file is { Text: { } json } ? (json, file.Folder) : throw new ValidationFailedException("notebook", problem!);
        }
        var path = Path.GetFullPath(Path.Combine(project.HomeDir, notebookPath));
        if (!path.StartsWith(Path.GetFullPath(project.HomeDir).TrimEnd('/') + "/", StringComparison.Ordinal))
            throw new ValidationFailedException("notebook", $"'{notebookPath}' points outside the project.");
        if (!File.Exists(path))
            throw new ValidationFailedException("notebook", $"There is no notebook '{notebookPath}' in the project's home directory ({project.HomeDir}).");
        var folder = Path.GetDirectoryName(notebookPath)?.Replace('\\', '/');
        return (await File.ReadAllTextAsync(path, ct), $"{TrainingWorkspace.ProjectMountPoint}/{folder}".TrimEnd('/'));
    }

    private static List<ExtraMount> ParseMounts(ValidationErrors errors, IReadOnlyList<string> specs, Security.HostPaths hostPaths)
    {
        var mounts = new List<ExtraMount>();
        foreach (var spec in specs.Select(m => m.Trim()).Where(m => m.Length > 0))
        {
            var parts = spec.Split(':');
            var readOnly = parts.Length == 3 && parts[2] == "ro";
            if (parts.Length is < 2 or > 3 || parts.Length == 3 && parts[2] is not ("ro" or "rw"))
            {
                errors.Add("mounts", $"'{spec}' is not /host/path:/container/path or /host/path:/container/path:ro.");
                continue;
            }
            var (source, target) = (parts[0], parts[1].TrimEnd('/'));
            if (!source.StartsWith('/') || !target.StartsWith('/') || spec.Split('/').Contains(".."))
                errors.Add("mounts", $"'{spec}': both paths must be absolute, without '..'.");
            else if (!Directory.Exists(source) && !File.Exists(source))
                errors.Add("mounts", $"'{source}' does not exist on the portal's host.");
            else if (hostPaths.Problem(source, Security.ActorContext.Current) is { } hostProblem)
                errors.Add("mounts", hostProblem);
            else if (target.Length == 0 || target == "/portal" || target.StartsWith("/portal/", StringComparison.Ordinal) || target.StartsWith("/opt/portal", StringComparison.Ordinal))
                errors.Add("mounts", $"'{parts[1]}' is reserved for the portal (/portal, /opt/portal); mount somewhere else, e.g. /data.");
            else if (mounts.Any(m => m.Target == target))
                errors.Add("mounts", $"Two mounts use '{target}'.");
            else
                mounts.Add(new ExtraMount(source, target, readOnly));
        }
        return mounts;
    }

    private static string? NotebookPathProblem(string path)
    {
        if (path.Length == 0) return "The notebook path is required, e.g. train.ipynb or notebooks/train.ipynb.";
        if (path.StartsWith('/')) return $"'{path}' must be relative to the project, not absolute.";
        if (!path.EndsWith(".ipynb", StringComparison.Ordinal)) return $"'{path}' is not a notebook: the path must end with .ipynb.";
        foreach (var segment in path.Split('/'))
            if (SafeFileName.Check(segment) is { } problem) return $"'{path}': {problem}";
        return null;
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvName();
}
