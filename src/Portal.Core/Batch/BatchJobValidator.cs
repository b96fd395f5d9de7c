using System.Text.Json;
using Portal.Core.Builds;
using Portal.Core.Containers;
using Portal.Core.Deployments;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Names;
using Portal.Core.Notebooks;
using Portal.Core.Security;
using Portal.Core.Services;
using Portal.Core.Stores;
using Portal.Core.Trainings;

namespace Portal.Core.Batch;

/// <summary>
/// Checks a batch job before anything starts, every problem at once by field, and turns it into the launch plan of a run
/// of <see cref="BatchNotebook"/>: the version mounted where a training's starting version goes, the dataset where its
/// datasets go, the project's code as the kernel's folder.
/// </summary>
public sealed class BatchJobValidator(
    ITrainingStore trainings, IProjectStore projects, IDatasetStore datasets, IBuildStore builds, IModelVersionStore versions,
    ResourceProfiles profiles, IImageFiles imageFiles, HostPaths hostPaths)
{
    /// <summary>The files of a dataset the scorer reads; the others are left alone.</summary>
    public static bool Scorable(string fileName) =>
        fileName.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || fileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    public async Task<(TrainingLaunchPlan Plan, string Output)> CheckAsync(BatchJobInput input, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var version = await versions.FindByReferenceAsync(input.Version, ct);
        if (version is null) errors.Add("version", $"There is no model version '{input.Version?.Trim()}'; write it as model/version.");
        var dataset = await datasets.FindByReferenceAsync(input.Dataset, ct);
        if (dataset is null) errors.Add("dataset", $"There is no dataset '{input.Dataset?.Trim()}'; write it as model/dataset.");
        else if (!dataset.Files.Any(f => Scorable(f.Name)))
            errors.Add("dataset", $"The dataset '{dataset.Name}' holds no .csv or .json file to score.");

        var project = await ProjectAsync(input.Project, version, errors, ct);
        var name = string.IsNullOrWhiteSpace(input.Name) ? ReadableNames.Next() : input.Name.Trim();
        InputRules.Name(errors, "name", name, "batch job name");
        var entry = input.Entry?.Trim().Replace('\\', '/') is { Length: > 0 } e ? e : "predict.py";
        if (PredictionCode.EntryProblem(project?.HomeDir, entry) is { } entryProblem) errors.Add("entry", entryProblem);
        var output = InputRules.Clean(input.Output) ?? $"{dataset?.Name}-by-{version?.Name}";
        InputRules.Name(errors, "output", output, "dataset name");
        if (version is not null && !errors.Has("output") && await datasets.FindAsync(version.Model!.Name, output, ct) is not null)
            errors.Add("output", $"The model '{version.Model!.Name}' already has a dataset named '{output}'; " +
                "name the predictions another way.");
        (string Name, Configuration.ResourceProfile? Profile) profile = default;
        try { profile = profiles.Resolve(input.ResourceProfile, ResourceProfiles.Train); }
        catch (ValidationFailedException ex) { foreach (var (f, m) in ex.Errors) foreach (var msg in m) errors.Add(f, msg); }

        BuildVersion? build = null;
        var buildTag = InputRules.Clean(input.BuildTag);
        if (project is not null && buildTag is not null && (build = await builds.FindAsync(project.Id, buildTag, ct)) is null)
            errors.Add("build_tag", $"The project '{project.Name}' has no build tagged '{buildTag}'; " +
                "build it first, or leave the tag empty.");
        var codeDir = WorkMounts.Project;
        if (project is { HomeDir: null })
            codeDir = await PredictionCode.ImageDirAsync(imageFiles, errors, project, build, buildTag, entry, ct) ?? codeDir;
        if (project is not null && !errors.Has("name") && await trainings.FindAsync(project.Name, name, ct) is not null)
            errors.Add("name", $"The project '{project.Name}' already has a training or batch job named '{name}'.");
        errors.ThrowIfAny();

        Dictionary<string, JsonElement> parameters = new()
        {
            ["entry"] = JsonSerializer.SerializeToElement(entry),
            ["dataset"] = JsonSerializer.SerializeToElement(dataset!.Name),
        };
        var plan = new TrainingLaunchPlan
        {
            Project = project!, Name = name, Notebook = BatchNotebook.Path,
            InjectedNotebook = ParameterInjector.Inject(BatchNotebook.Json(), parameters),
            KernelDir = codeDir, Parameters = parameters, ProfileName = profile.Name, Profile = profile.Profile, Datasets = [dataset],
            Mounts = [], Pretrained = version, Build = build, Env = new Dictionary<string, string>(),
        };
        return (plan, output);
    }

    /// <summary>The project named, or else the one that trained the version; its home directory checked at each use.</summary>
    private async Task<Project?> ProjectAsync(string? named, ModelVersion? version, ValidationErrors errors, CancellationToken ct)
    {
        Project? project;
        if (InputRules.Clean(named) is { } projectName)
        {
            project = await projects.FindAsync(projectName, ct);
            if (project is null) errors.Add("project", $"There is no project named '{projectName}'.");
        }
        else
        {
            project = version?.Training?.Project is { } trainedBy ? await projects.FindAsync(trainedBy.Name, ct) : null;
            if (project is null && version is not null)
                errors.Add("project", $"The version '{version.Model!.Name}/{version.Name}' was not made by a training; " +
                    "name the project whose prediction code scores with it.");
        }
        // The folder may have become a link elsewhere since the project was registered.
        if (project?.HomeDir is { } home && hostPaths.Problem(home, ActorContext.Current) is { } homeProblem)
            errors.Add("project", homeProblem);
        return project;
    }
}
