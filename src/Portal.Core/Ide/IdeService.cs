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
public sealed class IdeService(
    IIdeSessionStore sessions, IDatasetStore datasets, IContainerManager manager, ResourceProfiles profiles, ISecretProtector secrets,
    IFileStore files, TimeProvider clock)
{
    public const int JupyterPort = 8888;
    public const string HomeMountPoint = "/home/portal";
    public const string SharedMountPoint = "/shared";
    public const string SharedVolume = "portal-shared";

    public static string BasePath(string user, string session) => $"/ide/{user}/{session}/";
    public static string HomeVolume(string user) => $"portal-home-{user}";

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
            var parts = reference.Split('/', 2);
            var dataset = parts.Length == 2 ? await datasets.FindAsync(parts[0].Trim(), parts[1].Trim(), ct) : null;
            if (dataset is null) errors.Add("datasets", $"There is no dataset '{reference}'; write it as model/dataset.");
            else if (dataset.Compressed) errors.Add("datasets", $"The dataset '{reference}' is compressed; the IDE mounts uncompressed datasets only.");
            else mounted.Add(dataset);
        }
        if (errors.IsEmpty && await sessions.FindAsync(user, name, ct) is not null)
            errors.Add("name", $"You have a session named '{name}' already.");
        errors.ThrowIfAny();

        var health = await manager.CheckAsync(ct);
        if (!health.Ready) throw new ConflictException($"{health.Summary} {string.Join(" ", health.Problems)}");
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var image = string.IsNullOrWhiteSpace(request.Image) ? ProjectImages.NotebookBase : request.Image.Trim();
        var now = clock.GetUtcNow().UtcDateTime;
        var session = await sessions.AddAsync(new IdeSession
        {
            Name = name, User = user, Image = image, ResourceProfile = profile.Name, ProtectedToken = secrets.Protect(token), Manager = manager.Kind,
            Datasets = mounted.Select(d => new DatasetRef(d.Model!.Name, d.Name, d.Id)).ToList(),
            Task = new TaskInfo { State = TaskState.Waiting, Message = "Starting Jupyter.", UpdateTime = now }, CreatedAt = now, LastActivity = now,
        }, ct);
        try
        {
            var id = await manager.StartAsync(Spec(session, token, profile.Profile, mounted), ct);
            return await sessions.MutateAsync(session.Id, s =>
            {
                s.WorkloadId = id;
                s.Task = s.Task with { State = TaskState.Running, StartTime = clock.GetUtcNow().UtcDateTime, Message = null };
            }, ct);
        }
        catch (PortalException)
        {
            await sessions.DeleteAsync(session.Id, CancellationToken.None);
            throw;
        }
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
        return await sessions.MutateAsync(session.Id, s =>
        {
            s.WorkloadId = null;
            s.Task = s.Task with { State = TaskState.Cancelled, Message = reason, UpdateTime = clock.GetUtcNow().UtcDateTime };
        }, ct);
    }

    private WorkloadSpec Spec(IdeSession session, string token, Configuration.ResourceProfile? profile, List<Dataset> mounted)
    {
        var basePath = BasePath(session.User, session.Name);
        var mounts = new List<MountSpec>
        {
            new(HomeVolume(session.User), HomeMountPoint, Kind: MountKind.Volume),
            new(SharedVolume, SharedMountPoint, Kind: MountKind.Volume),
        };
        var filesRoot = (files as LocalFileStore)?.Root;
        if (filesRoot is not null)
            mounts.AddRange(mounted.Select(d => new MountSpec(Path.Combine(filesRoot, StorageKeys.Dataset(d.Id), "files"), $"{TrainingWorkspace.DatasetsMountPoint}/{d.Name}", ReadOnly: true)));
        return new WorkloadSpec
        {
            Name = $"ide-{session.Id}",
            Kind = WorkloadKind.Service,
            Image = session.Image,
            // The shell expands PORTAL_PORT: local processes get a free port there, containers the Jupyter port.
            Command = ["sh", "-c", $"exec jupyter notebook --no-browser --allow-root --ip=0.0.0.0 --port=${{PORTAL_PORT:-{JupyterPort}}} --NotebookApp.base_url={basePath} --notebook-dir={HomeMountPoint}"],
            Env = new Dictionary<string, string>
            {
                ["JUPYTER_TOKEN"] = token, ["PORTAL_PORT"] = JupyterPort.ToString(), ["PORTAL_DATASETS_DIR"] = TrainingWorkspace.DatasetsMountPoint,
                ["PORTAL_USER"] = session.User,
            },
            Mounts = mounts,
            Ports = [new PortSpec(JupyterPort)],
            Resources = profile,
            HealthCheck = new HealthCheckSpec(
                ["python3", "-c", $"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{JupyterPort}{basePath}login', timeout=2)"],
                TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), 3, TimeSpan.FromSeconds(60)),
            Labels = PortalLabels.For("ide", session.Id, session.Name),
        };
    }
}
