using Portal.Core.Builds;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Names;
using Portal.Core.Notebooks;
using Portal.Core.Security;
using Portal.Core.Services;
using Portal.Core.Stores;

namespace Portal.Core.Trainings;

/// <summary>
/// Checks a launch before anything starts and resolves what it names into a <see cref="TrainingLaunchPlan"/>; every
/// problem comes back at once, by field. Nine dependencies (the written reason for passing seven): one per kind of thing
/// a launch names, and the manager's abilities; splitting them would only pass the same input through two classes.
/// </summary>
public sealed class TrainingLaunchValidator(
    ITrainingStore trainings, IProjectStore projects, IDatasetStore datasets, IBuildStore builds, IModelVersionStore versions,
    ResourceProfiles profiles, IImageFiles imageFiles, HostPaths hostPaths, IContainerManager manager)
{
    public async Task<TrainingLaunchPlan> CheckAsync(TrainingInput input, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var project = await projects.FindAsync(input.Project?.Trim() ?? "", ct);
        if (project is null) errors.Add("project", $"There is no project named '{input.Project}'.");
        // Checked again at each use: the folder may have become a link elsewhere since the project was registered.
        else if (project.HomeDir is { } home && hostPaths.Problem(home, ActorContext.Current) is { } homeProblem)
            errors.Add("project", homeProblem);
        var name = string.IsNullOrWhiteSpace(input.Name) ? ReadableNames.Next() : input.Name.Trim();
        InputRules.Name(errors, "name", name, "training name");
        var notebookPath = input.Notebook?.Trim().Replace('\\', '/') ?? "";
        if (NotebookPathProblem(notebookPath) is { } problem) errors.Add("notebook", problem);
        var parameters = InputRules.Details(errors, "parameters", input.ParametersJson);
        InputRules.EnvNames(errors, "env", input.Env.Keys, "PORTAL_");
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
        var extraMounts = ExtraMounts.Parse(errors, input.Mounts, hostPaths);
        if (extraMounts.Count > 0 && !manager.Capabilities.Containers)
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
        return new TrainingLaunchPlan
        {
            Project = project, Name = name, Notebook = notebookPath, InjectedNotebook = ParameterInjector.Inject(notebookJson, parameters),
            KernelDir = kernelDir, Parameters = parameters, ProfileName = profile.Name, Profile = profile.Profile, Datasets = mounted,
            Mounts = extraMounts, Pretrained = pretrained, Build = build, Env = input.Env,
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
        return (await File.ReadAllTextAsync(path, ct), $"{WorkMounts.Project}/{folder}".TrimEnd('/'));
    }

    private static string? NotebookPathProblem(string path)
    {
        if (path.Length == 0) return "The notebook path is required, e.g. train.ipynb or notebooks/train.ipynb.";
        if (path.StartsWith('/')) return $"'{path}' must be relative to the project, not absolute.";
        if (!path.EndsWith(".ipynb", StringComparison.Ordinal)) return $"'{path}' is not a notebook: the path must end with .ipynb.";
        foreach (var segment in path.Split('/'))
            if (Storage.SafeFileName.Check(segment) is { } problem) return $"'{path}': {problem}";
        return null;
    }

}
