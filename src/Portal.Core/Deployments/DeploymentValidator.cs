using Portal.Core.Builds;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Packages;
using Portal.Core.Services;
using Portal.Core.Stores;

namespace Portal.Core.Deployments;

/// <summary>
/// Checks a deployment, or a switch to another version, before anything changes; every problem comes back at once, by
/// field. Ten dependencies (the written reason for passing seven): one per kind of thing a deployment names (routes share
/// its namespace), the environments, and the manager's abilities.
/// </summary>
public sealed class DeploymentValidator(
    IDeploymentStore deployments, IRouteStore routes, IProjectStore projects, IModelVersionStore versions, IBuildStore builds, IPackageStore packages,
    ResourceProfiles profiles, IImageFiles imageFiles, PortalConfig config, IContainerManager manager)
{
    public const int MaxReplicas = 20;

    /// <summary>Why an idle time for scale to zero is refused (3 seconds to a day), or null.</summary>
    public static string? IdleProblem(double? minutes) => minutes is { } m && (double.IsNaN(m) || m < 0.05 || m > 1440)
        ? $"A deployment sleeps after 0.05 (3 seconds) to 1440 idle minutes, not {m}." : null;

    public async Task<DeploymentPlan> CheckAsync(DeploymentInput input, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var name = input.Name.Trim();
        InputRules.Name(errors, "name", name, "deployment name");
        if (!errors.Has("name") && await routes.FindAsync(name, ct) is not null)
            errors.Add("name", $"'{name}' is a route's name, and /model/{name} already reaches that route; name the deployment otherwise.");
        var package = string.IsNullOrWhiteSpace(input.Package) ? null : await CheckPackageAsync(errors, input, ct);
        if (package is not null) input = input with { Project = package.ProjectName, ModelVersion = package.VersionRef, Entry = package.Entry };
        var project = await projects.FindAsync(input.Project.Trim(), ct);
        if (project is null) errors.Add("project", $"There is no project named '{input.Project}'.");
        var environment = string.IsNullOrWhiteSpace(input.Environment) ? config.Environments[0] : input.Environment.Trim();
        if (!config.Environments.Contains(environment))
            errors.Add("environment", $"There is no environment '{environment}'; the environments are {string.Join(", ", config.Environments)}.");
        var version = await versions.FindByReferenceAsync(input.ModelVersion, ct);
        if (version is null) errors.Add("model_version", $"There is no model version '{input.ModelVersion}'; write it as model/version.");
        else if (!version.IsIn(environment, config.Environments[0]))
            errors.Add("model_version", $"Version '{input.ModelVersion}' is not promoted to '{environment}'; promote it first, or deploy to an environment it is in.");
        else if (package is not null && version.Id != package.ModelVersionId)
            errors.Add("package", $"The version '{package.VersionRef}' of the package '{package.Name}' was removed; package a version that exists.");
        var entry = input.Entry.Trim().Replace('\\', '/');
        // A package's code is inside its image, checked when it was made.
        if (project is not null && package is null && PredictionCode.EntryProblem(project.HomeDir, entry) is { } entryProblem) errors.Add("entry", entryProblem);
        if (input.Replicas is < 1 or > MaxReplicas) errors.Add("replicas", $"Replicas must be between 1 and {MaxReplicas}, not {input.Replicas}.");
        if (IdleProblem(input.IdleMinutes) is { } idle) errors.Add("idle_minutes", idle);
        if (input.Port is < 1024 or > 65535) errors.Add("port", $"The port must be between 1024 and 65535, not {input.Port}.");
        InputRules.EnvNames(errors, "env", input.Env.Keys, "PORTAL_");
        (string Name, ResourceProfile? Profile) profile = default;
        try { profile = profiles.Resolve(input.ResourceProfile, ResourceProfiles.Deploy); }
        catch (ValidationFailedException e) { foreach (var (f, m) in e.Errors) foreach (var msg in m) errors.Add(f, msg); }
        foreach (var (field, value, min, max) in new[] { ("start_period", input.Health?.StartPeriod, 0, 3600), ("interval", input.Health?.Interval, 1, 600), ("timeout", input.Health?.Timeout, 1, 600), ("retries", input.Health?.Retries, 1, 100) })
            if (value is { } v && (v < min || v > max)) errors.Add($"health.{field}", $"The health check's {field.Replace('_', ' ')} must be between {min} and {max}, not {v}.");
        if (profile.Profile?.AutoScale == true && !manager.Capabilities.AutoScale)
            errors.Add("resource_profile", $"The profile '{profile.Name}' asks for auto_scale, which only the Kubernetes manager does; choose a profile without it, or set the replicas yourself.");
        if (input.Replicas > 1 && !manager.Capabilities.Replicas)
            errors.Add("replicas", $"The {manager.Capabilities.Kind} manager runs one replica per deployment; ask for 1, or use swarm or kube for more.");
        BuildVersion? build = null;
        var buildTag = string.IsNullOrWhiteSpace(input.BuildTag) ? null : input.BuildTag.Trim();
        if (project is not null && buildTag is not null && (build = await builds.FindAsync(project.Id, buildTag, ct)) is null)
            errors.Add("build_tag", $"The project '{project.Name}' has no build tagged '{buildTag}'.");
        var codeDir = package is null && project is { HomeDir: null }
            ? await PredictionCode.ImageDirAsync(imageFiles, errors, project, build, buildTag, entry, ct)
            : null;
        if (errors.IsEmpty && await deployments.FindAsync(name, ct) is not null)
            errors.Add("name", $"A deployment named '{name}' exists already.");
        errors.ThrowIfAny();
        return new DeploymentPlan
        {
            Name = name, Project = project!, Version = version!, Build = build, Environment = environment, Entry = entry, CodeDir = codeDir,
            ProfileName = profile.Name, Profile = profile.Profile, Package = package,
        };
    }

    /// <summary>
    /// The rest package a deployment serves, or null (with the problem added): made, serving, runnable by this manager, and
    /// not contradicted by the project, version, entry or build given alongside it.
    /// </summary>
    private async Task<ModelPackage?> CheckPackageAsync(ValidationErrors errors, DeploymentInput input, CancellationToken ct)
    {
        var name = input.Package!.Trim();
        var package = await packages.FindAsync(name, ct);
        if (package is null)
        {
            errors.Add("package", $"There is no package named '{name}'.");
            return null;
        }
        if (!manager.Capabilities.Containers)
            errors.Add("package", $"The {manager.Capabilities.Kind} container manager runs processes, not images: a package is deployed by the docker, swarm or kube manager.");
        if (package.Kind != PackageKind.Rest)
            errors.Add("package", $"'{name}' is a {package.Kind.ToString().ToLowerInvariant()} package, which scores files and serves nothing; package the version as rest to deploy it.");
        else if (package.Task.State != TaskState.Finished || package.ImageId is null)
            errors.Add("package", $"The package '{name}' is {package.Task.State.ToString().ToLowerInvariant()}; deploy it once it has been made.");
        foreach (var (field, given, own) in new[] { ("project", input.Project, package.ProjectName), ("model_version", input.ModelVersion, package.VersionRef), ("entry", input.Entry, package.Entry) })
            if (!string.IsNullOrWhiteSpace(given) && given.Trim() != own)
                errors.Add(field, $"The package '{name}' serves {own} as its {field.Replace('_', ' ')}; leave {field} empty or give that.");
        if (!string.IsNullOrWhiteSpace(input.BuildTag))
            errors.Add("build_tag", $"The package '{name}' brings its own image; leave the build tag empty.");
        if (input.Port != PackageContext.Port)
            errors.Add("port", $"A package's image serves on port {PackageContext.Port}; leave the port at {PackageContext.Port}.");
        return package;
    }

    /// <summary>The version a deployment may switch to: one promoted to its environment.</summary>
    public async Task<ModelVersion> CheckSwitchAsync(Deployment deployment, string modelVersion, CancellationToken ct)
    {
        if (deployment.PackageId is not null)
            throw new ValidationFailedException("model_version", $"The deployment '{deployment.Name}' serves the package '{deployment.Package?.Name}', whose image "
                + $"holds {deployment.ModelVersionName}; package '{modelVersion}' and deploy that package instead.");
        var version = await versions.FindByReferenceAsync(modelVersion, ct);
        if (version is null) throw new ValidationFailedException("model_version", $"There is no model version '{modelVersion}'; write it as model/version.");
        if (!version.IsIn(deployment.Environment, config.Environments[0]))
            throw new ValidationFailedException("model_version", $"Version '{modelVersion}' is not promoted to '{deployment.Environment}'; promote it first.");
        return version;
    }
}
