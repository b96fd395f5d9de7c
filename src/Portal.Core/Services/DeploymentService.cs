using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Portal.Core.Builds;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Storage;
using Portal.Core.Stores;

namespace Portal.Core.Services;

/// <summary>
/// Deployments: a model version served by replicas of the toolkit's prediction server (a replicated service, or a
/// local process), the version's files mounted read-only at /portal/model and the project's code at
/// /portal/project. A deployment serves one environment and only versions promoted there.
/// </summary>
public sealed partial class DeploymentService(
    IDeploymentStore deployments, IProjectStore projects, IModelVersionStore versions, IBuildStore builds, IContainerManager manager,
    ResourceProfiles profiles, IFileStore files, IImageFiles imageFiles, PortalConfig config, PortalPaths paths, Security.HostPaths hostPaths,
    TimeProvider clock)
{
    public const int MaxReplicas = 20;
    public const string ModelMountPoint = "/portal/model";
    /// <summary>Where the code is served from when the project has no home directory: the build image's working directory.</summary>
    private const string CodeDirDetail = "code_dir";

    public Task<Page<Deployment>> ListAsync(PageRequest request, CancellationToken ct) => deployments.ListAsync(request, ct);

    public async Task<Deployment> GetAsync(string name, CancellationToken ct) =>
        await deployments.FindAsync(name, ct) ?? throw new NotFoundException("deployment", name);

    public Task<IReadOnlyList<Replica>> ReplicasAsync(Deployment deployment, CancellationToken ct) =>
        deployment.WorkloadId is null ? Task.FromResult<IReadOnlyList<Replica>>([]) : manager.ListReplicasAsync(deployment.WorkloadId, ct);

    public async Task<Deployment> CreateAsync(DeploymentInput input, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var name = input.Name.Trim();
        InputRules.Name(errors, "name", name, "deployment name");
        var project = await projects.FindAsync(input.Project.Trim(), ct);
        if (project is null) errors.Add("project", $"There is no project named '{input.Project}'.");
        var environment = string.IsNullOrWhiteSpace(input.Environment) ? config.Environments[0] : input.Environment.Trim();
        if (!config.Environments.Contains(environment))
            errors.Add("environment", $"There is no environment '{environment}'; the environments are {string.Join(", ", config.Environments)}.");
        var version = await versions.FindByReferenceAsync(input.ModelVersion, ct);
        if (version is null) errors.Add("model_version", $"There is no model version '{input.ModelVersion}'; write it as model/version.");
        else if (!version.IsIn(environment, config.Environments[0]))
            errors.Add("model_version", $"Version '{input.ModelVersion}' is not promoted to '{environment}'; promote it first, or deploy to an environment it is in.");
        var entry = input.Entry.Trim().Replace('\\', '/');
        if (project is not null && EntryProblem(project, entry) is { } entryProblem) errors.Add("entry", entryProblem);
        if (input.Replicas is < 1 or > MaxReplicas) errors.Add("replicas", $"Replicas must be between 1 and {MaxReplicas}, not {input.Replicas}.");
        if (input.Port is < 1024 or > 65535) errors.Add("port", $"The port must be between 1024 and 65535, not {input.Port}.");
        foreach (var key in input.Env.Keys.Where(k => !EnvName().IsMatch(k) || k.StartsWith("PORTAL_", StringComparison.Ordinal)))
            errors.Add("env", $"'{key}' cannot be a variable name: use letters, digits and '_'; PORTAL_ names are the portal's.");
        (string Name, ResourceProfile? Profile) profile = default;
        try { profile = profiles.Resolve(input.ResourceProfile, ResourceProfiles.Deploy); }
        catch (ValidationFailedException e) { foreach (var (f, m) in e.Errors) foreach (var msg in m) errors.Add(f, msg); }
        foreach (var (field, value, min, max) in new[] { ("start_period", input.Health?.StartPeriod, 0, 3600), ("interval", input.Health?.Interval, 1, 600), ("timeout", input.Health?.Timeout, 1, 600), ("retries", input.Health?.Retries, 1, 100) })
            if (value is { } v && (v < min || v > max)) errors.Add($"health.{field}", $"The health check's {field.Replace('_', ' ')} must be between {min} and {max}, not {v}.");
        if (profile.Profile?.AutoScale == true && manager.Kind != "kube")
            errors.Add("resource_profile", $"The profile '{profile.Name}' asks for auto_scale, which only the Kubernetes manager does; choose a profile without it, or set the replicas yourself.");
        BuildVersion? build = null;
        var buildTag = string.IsNullOrWhiteSpace(input.BuildTag) ? null : input.BuildTag.Trim();
        if (project is not null && buildTag is not null && (build = await builds.FindAsync(project.Id, buildTag, ct)) is null)
            errors.Add("build_tag", $"The project '{project.Name}' has no build tagged '{buildTag}'.");
        var codeDir = await ImageCodeDirAsync(errors, project, build, buildTag, entry, ct);
        if (errors.IsEmpty && await deployments.FindAsync(name, ct) is not null)
            errors.Add("name", $"A deployment named '{name}' exists already.");
        errors.ThrowIfAny();
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(version);

        var health = await manager.CheckAsync(ct);
        if (!health.Ready) throw new ConflictException($"{health.Summary} {string.Join(" ", health.Problems)}");

        var deployment = await deployments.AddAsync(new Deployment
        {
            Name = name, ProjectId = project.Id, Project = project, ModelVersionId = version.Id, ModelVersion = version,
            ModelVersionName = $"{version.Model!.Name}/{version.Name}", BuildVersionId = build?.Id, Notebook = entry,
            Replicas = input.Replicas, Environment = environment, Port = input.Port, Env = input.Env.ToDictionary(),
            ResourceProfile = profile.Name, Manager = manager.Kind,
            Details = Details(input.Health, codeDir),
            Task = new TaskInfo { State = TaskState.Waiting, UpdateTime = clock.GetUtcNow().UtcDateTime }, CreatedAt = clock.GetUtcNow().UtcDateTime,
        }, ct);
        try
        {
            var spec = await BuildSpecAsync(deployment, project, version, build?.Image ?? ProjectImages.NotebookBase, profile.Profile, ct);
            var id = await manager.StartAsync(spec, ct);
            return await deployments.MutateAsync(deployment.Id, d =>
            {
                d.WorkloadId = id;
                d.Task = new TaskInfo { State = TaskState.Running, StartTime = clock.GetUtcNow().UtcDateTime, UpdateTime = clock.GetUtcNow().UtcDateTime };
            }, ct);
        }
        catch (Exception e) when (e is PortalException or IOException)
        {
            await deployments.DeleteAsync(deployment.Id, CancellationToken.None);
            throw;
        }
    }

    public async Task<Deployment> ScaleAsync(string name, int replicas, CancellationToken ct)
    {
        var deployment = await GetAsync(name, ct);
        // Zero stops serving and keeps the deployment, to start again by scaling up.
        if (replicas is < 0 or > MaxReplicas) throw new ValidationFailedException("replicas", $"Replicas must be between 0 (stopped) and {MaxReplicas}, not {replicas}.");
        if (deployment.WorkloadId is null) throw new ConflictException($"The deployment '{name}' is not running.");
        await manager.ScaleAsync(deployment.WorkloadId, replicas, ct);
        return await deployments.MutateAsync(deployment.Id, d => d.Replicas = replicas, ct);
    }

    public async Task DeleteAsync(string name, CancellationToken ct)
    {
        var deployment = await GetAsync(name, ct);
        if (deployment.WorkloadId is not null) await manager.RemoveAsync(deployment.WorkloadId, ct);
        await deployments.DeleteAsync(deployment.Id, ct);
        var dir = WorkDir(deployment.Id);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    private async Task<WorkloadSpec> BuildSpecAsync(Deployment d, Project project, ModelVersion version, string image, ResourceProfile? profile, CancellationToken ct)
    {
        var modelDir = await ArtifactFolders.OfModelVersionAsync(files, version, WorkDir(d.Id), ct);
        List<MountSpec> mounts = [new MountSpec(modelDir, ModelMountPoint, ReadOnly: true)];
        var codeDir = d.Details.TryGetValue(CodeDirDetail, out var inImage) ? inImage.GetString()! : TrainingWorkspace.ProjectMountPoint;
        if (project.HomeDir is not null)
        {
            // Checked at each use: the folder may have become a link elsewhere since the project was registered.
            if (hostPaths.Problem(project.HomeDir, Security.ActorContext.Current) is { } homeProblem)
                throw new ValidationFailedException("project", homeProblem);
            codeDir = TrainingWorkspace.ProjectMountPoint;
            mounts.Insert(0, new MountSpec(project.HomeDir, TrainingWorkspace.ProjectMountPoint, ReadOnly: true));
        }
        var env = new Dictionary<string, string>(d.Env)
        {
            ["PORTAL_MODEL"] = version.Model!.Name,
            ["PORTAL_MODEL_VERSION"] = version.Name,
            ["PORTAL_DEPLOYMENT"] = d.Name,
            ["PORTAL_MODEL_DIR"] = ModelMountPoint,
            ["PORTAL_PORT"] = d.Port.ToString(CultureInfo.InvariantCulture),
        };
        return new WorkloadSpec
        {
            Name = $"depl-{d.Id}",
            Kind = WorkloadKind.Service,
            Image = image,
            Command = ["python3", "-m", "portal_toolkit.serve", "--entry", d.Notebook, "--code", codeDir, "--model-dir", ModelMountPoint],
            Env = env,
            Mounts = mounts,
            Ports = [new PortSpec(d.Port)],
            HealthCheck = HealthCheck(d),
            Replicas = d.Replicas,
            Resources = profile,
            Labels = PortalLabels.For("deployment", d.Id, d.Name, project.Name),
        };
    }

    /// <summary>
    /// The prediction server's /health, probed inside the replica. With healthcheck disabled in portal.yaml the
    /// probe still runs every second as a readiness check, so rolls and the router wait for a loaded model.
    /// </summary>
    private HealthCheckSpec HealthCheck(Deployment d)
    {
        var hc = config.ContainerManager.Healthcheck;
        var own = d.Details.TryGetValue("healthcheck", out var json) ? json.Deserialize<HealthSettings>() : null;
        return HealthCheckSpec.HttpGet("/health", d.Port,
            TimeSpan.FromSeconds(own?.Interval ?? (hc.Enabled ? hc.Interval : 1)), TimeSpan.FromSeconds(own?.Timeout ?? hc.Timeout),
            own?.Retries ?? hc.Retries, TimeSpan.FromSeconds(own?.StartPeriod ?? hc.StartPeriod));
    }

    /// <summary>Serves another version (promoted to the deployment's environment) with a rolling update.</summary>
    public async Task<Deployment> SwitchVersionAsync(string name, string modelVersion, CancellationToken ct)
    {
        var deployment = await GetAsync(name, ct);
        var version = await versions.FindByReferenceAsync(modelVersion, ct);
        if (version is null) throw new ValidationFailedException("model_version", $"There is no model version '{modelVersion}'; write it as model/version.");
        if (!version.IsIn(deployment.Environment, config.Environments[0]))
            throw new ValidationFailedException("model_version", $"Version '{modelVersion}' is not promoted to '{deployment.Environment}'; promote it first.");
        if (deployment.WorkloadId is null) throw new ConflictException($"The deployment '{name}' is not running.");
        var project = deployment.Project ?? throw new ConflictException($"The deployment '{name}' has lost its project.");
        var profile = profiles.Resolve(deployment.ResourceProfile, ResourceProfiles.Deploy).Profile;
        var spec = await BuildSpecAsync(deployment, project, version, deployment.BuildVersion?.Image ?? ProjectImages.NotebookBase, profile, ct);
        var id = await manager.UpdateAsync(deployment.WorkloadId, spec, ct);
        return await deployments.MutateAsync(deployment.Id, d =>
        {
            d.WorkloadId = id;
            d.ModelVersionId = version.Id;
            d.ModelVersionName = $"{version.Model!.Name}/{version.Name}";
        }, ct);
    }

    private string WorkDir(long id) => Path.Combine(paths.DataDir, "work", "deployments", id.ToString(CultureInfo.InvariantCulture));

    private static Dictionary<string, JsonElement> Details(HealthSettings? health, string? codeDir)
    {
        var details = new Dictionary<string, JsonElement>();
        if (health is not null) details["healthcheck"] = JsonSerializer.SerializeToElement(health);
        if (codeDir is not null) details[CodeDirDetail] = JsonSerializer.SerializeToElement(codeDir);
        return details;
    }

    /// <summary>
    /// For a project without a home directory the code is served from the chosen build's image: checks the entry is
    /// there and returns the image's working directory (the code folder), or null when the home directory serves.
    /// </summary>
    private async Task<string?> ImageCodeDirAsync(ValidationErrors errors, Project? project, BuildVersion? build, string? buildTag, string entry, CancellationToken ct)
    {
        if (project is not { HomeDir: null } || errors.Has("entry")) return null;
        ImageCode.CheckSource(errors, imageFiles, project, buildTag, "code is served");
        if (imageFiles.Unavailable is not null || build is null) return null;
        var (file, problem) = await ImageCode.FindAsync(imageFiles, build, entry, $"'{entry}'", ct);
        if (problem is not null) errors.Add("entry", problem);
        return file?.WorkingDir;
    }

    private static string? EntryProblem(Project project, string entry)
    {
        if (entry.Length == 0) return "Name the prediction code, e.g. predict.py (load/predict) or predict.ipynb.";
        if (!entry.EndsWith(".py", StringComparison.Ordinal) && !entry.EndsWith(".ipynb", StringComparison.Ordinal)) return $"'{entry}' must be a .py module or an .ipynb notebook.";
        if (entry.StartsWith('/') || entry.Split('/').Any(s => s is ".." or "")) return $"'{entry}' must be a path inside the project.";
        if (project.HomeDir is null) return null;
        return File.Exists(Path.Combine(project.HomeDir, entry)) ? null : $"There is no '{entry}' in the project's home directory ({project.HomeDir}).";
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvName();
}
