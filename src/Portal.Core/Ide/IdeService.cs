using System.Globalization;
using System.Security.Cryptography;
using Portal.Core.Builds;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Names;
using Portal.Core.Security;
using Portal.Core.Services;
using Portal.Core.Storage;
using Portal.Core.Stores;

namespace Portal.Core.Ide;

/// <summary>
/// IDE sessions: Jupyter Notebook in a container per user session, its base URL the portal's proxy path
/// (<c>/ide/{user}/{session}/</c>) so no port is exposed to the user, a random token the proxy adds and nobody
/// sees, the user's home volume at /home/portal (kept across sessions) and a shared volume at /shared.
/// </summary>
public sealed partial class IdeService(
    IIdeSessionStore sessions, IDatasetStore datasets, IModelVersionStore versions, IProjectStore projects, IContainerManager manager,
    ResourceProfiles profiles, ISecretProtector secrets, IFileStore files, Configuration.PortalConfig config, Configuration.PortalPaths paths, IdeImageCatalog images, Security.HostPaths hostPaths,
    Configuration.InstallationId installation, TimeProvider clock)
{
    public const string EditMountPoint = "/project";
    public const string ModelsMountPoint = "/portal/models";
    public const int JupyterPort = 8888;
    public const string HomeMountPoint = "/home/portal";
    public const string SharedMountPoint = "/shared";

    public static string BasePath(string user, string session) => $"/ide/{user}/{session}/";
    /// <summary>The user's home volume, named for this installation (see <see cref="Configuration.IdeConfig.VolumePrefix"/>).</summary>
    public string HomeVolume(string user) => $"{VolumePrefix}-home-{user}";
    public string SharedVolume => $"{VolumePrefix}-shared";
    private string VolumePrefix => string.IsNullOrWhiteSpace(config.Ide.VolumePrefix) ? $"portal-{installation.Value}" : config.Ide.VolumePrefix;

    public Task<IReadOnlyList<IdeSession>> ListAsync(string? user, CancellationToken ct) => sessions.ListAsync(user, ct);

    public async Task<IdeSession> GetAsync(string user, string name, CancellationToken ct) =>
        await sessions.FindAsync(user, name, ct) ?? throw new NotFoundException($"IDE session of '{user}'", name);

    public async Task<IdeSession> StartAsync(string user, IdeRequest request, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        InputRules.Name(errors, "user", user, "user name");
        var name = string.IsNullOrWhiteSpace(request.Name) ? ReadableNames.Next() : request.Name.Trim();
        InputRules.Name(errors, "name", name, "session name");
        (string Name, Configuration.ResourceProfile? Profile) profile = default;
        try { profile = profiles.Resolve(request.ResourceProfile, ResourceProfiles.Ide); }
        catch (ValidationFailedException e) { foreach (var (f, m) in e.Errors) foreach (var msg in m) errors.Add(f, msg); }
        var mounted = new List<Dataset>();
        foreach (var reference in (request.Datasets ?? []).Where(d => !string.IsNullOrWhiteSpace(d)).Distinct())
        {
            var dataset = await datasets.FindByReferenceAsync(reference, ct);
            if (dataset is null) errors.Add("datasets", $"There is no dataset '{reference}'; write it as model/dataset.");
            else mounted.Add(dataset);
        }
        foreach (var reference in request.ModelVersions.Where(v => !string.IsNullOrWhiteSpace(v)).Distinct())
        {
            var version = await versions.FindByReferenceAsync(reference, ct);
            if (version is null) errors.Add("model_versions", $"There is no model version '{reference}'; write it as model/version.");
        }
        if (!string.IsNullOrWhiteSpace(request.EditProject))
        {
            var project = await projects.FindAsync(request.EditProject.Trim(), ct);
            if (project is null) errors.Add("edit_project", $"There is no project named '{request.EditProject}'.");
            else if (project.HomeDir is null || !Directory.Exists(project.HomeDir)) errors.Add("edit_project", $"The project '{project.Name}' has no home directory on this host to edit.");
            // Mounted writable: whoever registered the project, the user editing it must be allowed the folder.
            else if (hostPaths.Problem(project.HomeDir, Security.ActorContext.Current) is { } hostProblem) errors.Add("edit_project", hostProblem);
        }
        foreach (var key in request.Env.Keys.Where(k => !EnvName().IsMatch(k) || k.StartsWith("PORTAL_", StringComparison.Ordinal) || k.StartsWith("JUPYTER_", StringComparison.Ordinal)))
            errors.Add("env", $"'{key}' cannot be a variable name here: use letters, digits and '_'; PORTAL_ and JUPYTER_ names are the portal's.");
        var image = request.Image?.Trim() is { Length: > 0 } chosen ? chosen
            : await images.ListAsync(ct) is [var first, ..] ? first.Image : ProjectImages.NotebookBase;
        if (await images.ProblemAsync(image, ct) is { } imageProblem) errors.Add("image", imageProblem);
        if (errors.IsEmpty && await sessions.FindAsync(user, name, ct) is not null)
            errors.Add("name", $"You have a session named '{name}' already.");
        errors.ThrowIfAny();

        var health = await manager.CheckAsync(ct);
        if (!health.Ready) throw new ConflictException($"{health.Summary} {string.Join(" ", health.Problems)}");
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var now = clock.GetUtcNow().UtcDateTime;
        var session = await sessions.AddAsync(new IdeSession
        {
            Name = name, User = user, Image = image, ResourceProfile = profile.Name, ProtectedToken = secrets.Protect(token), Manager = manager.Kind,
            Datasets = mounted.Select(d => new DatasetRef(d.Model!.Name, d.Name, d.Id)).ToList(),
            ModelVersions = request.ModelVersions.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim()).Distinct().ToList(),
            EditProject = string.IsNullOrWhiteSpace(request.EditProject) ? null : request.EditProject.Trim(), Env = request.Env.ToDictionary(),
            Task = new TaskInfo { State = TaskState.Waiting, Message = "Starting Jupyter.", UpdateTime = now }, CreatedAt = now, LastActivity = now,
        }, ct);
        try { return await RunAsync(session, ct); }
        catch (Exception e) when (e is PortalException or IOException)
        {
            DeleteWorkDir(session.Id);
            await sessions.DeleteAsync(session.Id, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Starts the session's server again with the same settings (a stopped or a stuck one); files in home stay.</summary>
    public async Task<IdeSession> RestartAsync(string user, string name, CancellationToken ct)
    {
        var session = await GetAsync(user, name, ct);
        if (session.WorkloadId is not null) await manager.RemoveAsync(session.WorkloadId, ct);
        return await RunAsync(session, ct);
    }

    private async Task<IdeSession> RunAsync(IdeSession session, CancellationToken ct)
    {
        var profile = profiles.Resolve(session.ResourceProfile, ResourceProfiles.Ide).Profile;
        var id = await manager.StartAsync(await SpecAsync(session, secrets.Unprotect(session.ProtectedToken), profile, ct), ct);
        return await sessions.MutateAsync(session.Id, s =>
        {
            s.WorkloadId = id;
            s.LastActivity = clock.GetUtcNow().UtcDateTime;
            s.Task = s.Task with { State = TaskState.Running, StartTime = clock.GetUtcNow().UtcDateTime, Message = null, UpdateTime = clock.GetUtcNow().UtcDateTime };
        }, ct);
    }

    /// <summary>Where the session's Jupyter answers now, or null while it is starting.</summary>
    public async Task<string?> EndpointAsync(IdeSession session, CancellationToken ct) =>
        session.WorkloadId is null ? null : (await manager.ListReplicasAsync(session.WorkloadId, ct)).Select(r => r.Endpoint).FirstOrDefault(e => e is not null);

    public string TokenOf(IdeSession session) => secrets.Unprotect(session.ProtectedToken);

    public Task TouchAsync(IdeSession session, CancellationToken ct) =>
        sessions.MutateAsync(session.Id, s => s.LastActivity = clock.GetUtcNow().UtcDateTime, ct);

    /// <summary>Stops the session's server (its home volume stays) and says why on its record.</summary>
    public async Task<IdeSession> StopAsync(string user, string name, string reason, CancellationToken ct)
    {
        var session = await GetAsync(user, name, ct);
        if (session.WorkloadId is not null) await manager.RemoveAsync(session.WorkloadId, ct);
        DeleteWorkDir(session.Id);
        return await sessions.MutateAsync(session.Id, s =>
        {
            s.WorkloadId = null;
            s.Task = s.Task with { State = TaskState.Cancelled, Message = reason, UpdateTime = clock.GetUtcNow().UtcDateTime };
        }, ct);
    }

    private async Task<WorkloadSpec> SpecAsync(IdeSession session, string token, Configuration.ResourceProfile? profile, CancellationToken ct)
    {
        var basePath = BasePath(session.User, session.Name);
        // Volume options may name the user (e.g. an NFS folder per user): {user} is replaced.
        var options = config.Ide.VolumeOptions.ToDictionary(o => o.Key, o => o.Value.Replace("{user}", session.User, StringComparison.Ordinal));
        var mounts = new List<MountSpec>
        {
            new(HomeVolume(session.User), HomeMountPoint, Kind: MountKind.Volume) { VolumeDriver = config.Ide.VolumeDriver, VolumeOptions = options },
            new(SharedVolume, SharedMountPoint, Kind: MountKind.Volume) { VolumeDriver = config.Ide.VolumeDriver, VolumeOptions = config.Ide.VolumeOptions.ToDictionary(o => o.Key, o => o.Value.Replace("{user}", "shared", StringComparison.Ordinal)) },
        };
        // Compressed artifacts are unpacked into the session's work folder, removed when the session stops.
        foreach (var d in session.Datasets)
        {
            if (await datasets.FindAsync(d.Model, d.Name, ct) is { } dataset && (d.Id is null || d.Id == dataset.Id))
                mounts.Add(new MountSpec(await ArtifactFolders.OfDatasetAsync(files, dataset, WorkDir(session.Id), ct), $"{TrainingWorkspace.DatasetsMountPoint}/{d.Name}", ReadOnly: true));
        }
        foreach (var reference in session.ModelVersions)
        {
            if (await versions.FindByReferenceAsync(reference, ct) is { } version)
                mounts.Add(new MountSpec(await ArtifactFolders.OfModelVersionAsync(files, version, WorkDir(session.Id), ct), $"{ModelsMountPoint}/{version.Model!.Name}/{version.Name}", ReadOnly: true));
        }
        if (session.EditProject is not null && await projects.FindAsync(session.EditProject, ct) is { HomeDir: { } home })
            mounts.Add(new MountSpec(home, EditMountPoint));
        return new WorkloadSpec
        {
            Name = $"ide-{session.Id}",
            Kind = WorkloadKind.Service,
            Image = session.Image,
            // The shell expands PORTAL_PORT: local processes get a free port there, containers the Jupyter port.
            // The notebook folder is the working directory (the home volume), which each manager maps to where it lives.
            Command = ["sh", "-c", $"exec jupyter notebook --no-browser --allow-root --ip=${{PORTAL_BIND_ADDRESS:-0.0.0.0}} --port=${{PORTAL_PORT:-{JupyterPort}}} --NotebookApp.base_url={basePath}"],
            WorkingDir = HomeMountPoint,
            Env = new Dictionary<string, string>(session.Env)
            {
                ["JUPYTER_TOKEN"] = token, ["PORTAL_PORT"] = JupyterPort.ToString(CultureInfo.InvariantCulture), ["PORTAL_DATASETS_DIR"] = TrainingWorkspace.DatasetsMountPoint,
                ["PORTAL_USER"] = session.User, ["PORTAL_MODELS_DIR"] = ModelsMountPoint,
                // Jupyter keeps its runtime files and settings under HOME: the user's own volume, writable by the container's user.
                ["HOME"] = HomeMountPoint,
            },
            Mounts = mounts,
            Ports = [new PortSpec(JupyterPort)],
            Resources = profile,
            HealthCheck = HealthCheckSpec.HttpGet($"{basePath}login", JupyterPort, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), 3, TimeSpan.FromSeconds(60)),
            Labels = PortalLabels.For("ide", session.Id, session.Name),
        };
    }

    private string WorkDir(long sessionId) => Path.Combine(paths.DataDir, "work", "ide", sessionId.ToString(CultureInfo.InvariantCulture));

    private void DeleteWorkDir(long sessionId)
    {
        if (Directory.Exists(WorkDir(sessionId))) Directory.Delete(WorkDir(sessionId), recursive: true);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial System.Text.RegularExpressions.Regex EnvName();
}
