using System.Globalization;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Storage;
using Portal.Core.Stores;
using Portal.Core.WorkFiles;

namespace Portal.Core.Ide;

/// <summary>
/// The workload of an IDE session: Jupyter Notebook under the portal's proxy path, the user's home volume at /home/portal
/// (kept across sessions, named for this installation), a shared volume at /shared, datasets and model versions
/// read-only, and the project being edited. Unpacked artifacts live in the session's work folder until it stops. On a swarm
/// of several nodes, with volumes that are not node-local, the session fetches its datasets and versions instead (see
/// <see cref="WorkStaging"/>) and may run on any node.
/// </summary>
public sealed class IdeSpecFactory(
    IDatasetStore datasets, IModelVersionStore versions, IProjectStore projects, IFileStore files, ResourceProfiles profiles, IdeStorage storage,
    WorkloadLabels labels, Services.IPortalAddress portal, IContainerManager manager, WorkGrants grants)
{
    private static readonly string[] FetchArtifacts = ["datasets", "versions"];

    public const string EditMountPoint = "/project";
    public const string ModelsMountPoint = "/portal/models";
    public const int JupyterPort = 8888;
    public const string HomeMountPoint = "/home/portal";
    public const string SharedMountPoint = "/shared";

    /// <param name="token">Jupyter's token, which the proxy adds.</param>
    /// <param name="apiToken">The user's access token for the session's notebooks (PORTAL_TOKEN, with PORTAL_URL).</param>
    public async Task<WorkloadSpec> BuildAsync(IdeSession session, string token, string apiToken, CancellationToken ct)
    {
        var basePath = IdeService.BasePath(session.User, session.Name);
        var workDir = storage.WorkDir(session.Id);
        var mounts = new List<MountSpec> { storage.Home(session.User, HomeMountPoint), storage.Shared(SharedMountPoint) };
        // On a swarm of several nodes a session whose home is not on one node fetches its artifacts and may run anywhere;
        // one that edits a project on the portal's host, or keeps its home in a node's local volume, stays on the portal's node.
        var fetched = session.EditProject is null && storage.SharedAcrossNodes && await manager.MayRunElsewhereAsync(ct);
        // Compressed artifacts are unpacked into the session's work folder, removed when the session stops.
        var mountedDatasets = new List<Dataset>();
        var mountedVersions = new List<ModelVersion>();
        foreach (var d in session.Datasets)
        {
            if (await datasets.FindAsync(d.Model, d.Name, ct) is not { } dataset || (d.Id is not null && d.Id != dataset.Id)) continue;
            if (!fetched)
                mounts.Add(new MountSpec(await ArtifactFolders.OfDatasetAsync(files, dataset, workDir, ct), $"{WorkMounts.Datasets}/{d.Name}", ReadOnly: true));
            mountedDatasets.Add(dataset);
        }
        foreach (var reference in session.ModelVersions)
        {
            if (await versions.FindByReferenceAsync(reference, ct) is not { } version) continue;
            if (!fetched)
                mounts.Add(new MountSpec(await ArtifactFolders.OfModelVersionAsync(files, version, workDir, ct),
                    $"{ModelsMountPoint}/{version.Model!.Name}/{version.Name}", ReadOnly: true));
            mountedVersions.Add(version);
        }
        if (session.EditProject is not null && await projects.FindAsync(session.EditProject, ct) is { HomeDir: { } home })
            mounts.Add(new MountSpec(home, EditMountPoint));
        var env = new Dictionary<string, string>(session.Env);
        // Where the portal_client SDK finds the portal; without an address work can reach, the notebooks go without.
        try { (env["PORTAL_URL"], env["PORTAL_TOKEN"]) = (await portal.ApiBaseUrlAsync(ct), apiToken); }
        catch (ContainerManagerException) when (!fetched) { }
        if (fetched)
        {
            env["PORTAL_API_URL"] = env["PORTAL_URL"];
            env[WorkStaging.GrantVariable] = grants.ForIde(session, mountedDatasets.Select(d => d.Id), mountedVersions.Select(v => v.Id));
        }
        var spec = new WorkloadSpec
        {
            Name = $"ide-{session.Id}",
            Kind = WorkloadKind.Service,
            Image = session.Image,
            // The shell expands PORTAL_PORT: local processes get a free port there, containers the Jupyter port.
            // The notebook folder is the working directory (the home volume), which each manager maps to where it lives.
            Command = ["sh", "-c", $"exec jupyter notebook --no-browser --allow-root --ip=${{PORTAL_BIND_ADDRESS:-0.0.0.0}} --port=${{PORTAL_PORT:-{JupyterPort}}} --NotebookApp.base_url={basePath}"],
            WorkingDir = HomeMountPoint,
            Env = new Dictionary<string, string>(env)
            {
                ["JUPYTER_TOKEN"] = token, ["PORTAL_PORT"] = JupyterPort.ToString(CultureInfo.InvariantCulture), ["PORTAL_DATASETS_DIR"] = WorkMounts.Datasets,
                ["PORTAL_USER"] = session.User, ["PORTAL_MODELS_DIR"] = ModelsMountPoint,
                [WorkloadMeta.EnvVar] = WorkloadMeta.ForIde(session.Name, mountedDatasets, mountedVersions),
                // Jupyter keeps its runtime files and settings under HOME: the user's own volume, writable by the container's user.
                ["HOME"] = HomeMountPoint,
            },
            Mounts = mounts,
            Ports = [new PortSpec(JupyterPort)],
            Resources = profiles.Resolve(session.ResourceProfile, ResourceProfiles.Ide).Profile,
            HealthCheck = HealthCheckSpec.HttpGet($"{basePath}login", JupyterPort, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), 3, TimeSpan.FromSeconds(60)),
            Labels = labels.For("ide", session.Id, session.Name),
        };
        return fetched ? WorkStaging.Fetching(spec, FetchArtifacts, sendResults: false) : spec;
    }

    /// <summary>Removes what <see cref="BuildAsync"/> unpacked for the session.</summary>
    public void Release(long sessionId) => storage.DeleteWorkDir(sessionId);
}
