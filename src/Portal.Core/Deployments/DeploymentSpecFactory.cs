using System.Globalization;
using System.Text.Json;
using Portal.Core.Builds;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Security;
using Portal.Core.Services;
using Portal.Core.Storage;
using Portal.Core.WorkFiles;

namespace Portal.Core.Deployments;

/// <summary>
/// The workload of a deployment: replicas of the toolkit's prediction server, the version's files read-only at
/// /portal/model and the project's code at /portal/project (or in the build's image), probed on /health. Where replicas
/// may run on another node they fetch both through the portal instead (<see cref="WorkStaging"/>).
/// </summary>
public sealed class DeploymentSpecFactory(
    IFileStore files, ResourceProfiles profiles, PortalConfig config, PortalPaths paths, HostPaths hostPaths, WorkloadLabels labels,
    IContainerManager manager, IPortalAddress portal, WorkGrants grants)
{
    /// <summary>Where the code is served from when the project has no home directory: the build image's working directory.</summary>
    public const string CodeDirDetail = "code_dir";

    private static readonly string[] FetchVersion = ["versions"];
    private static readonly string[] FetchVersionAndProject = ["versions", "project"];

    public async Task<WorkloadSpec> BuildAsync(Deployment d, Project project, ModelVersion version, CancellationToken ct)
    {
        var env = new Dictionary<string, string>(d.Env)
        {
            ["PORTAL_MODEL"] = version.Model!.Name,
            ["PORTAL_MODEL_VERSION"] = version.Name,
            ["PORTAL_DEPLOYMENT"] = d.Name,
            ["PORTAL_PORT"] = d.Port.ToString(CultureInfo.InvariantCulture),
            [WorkloadMeta.EnvVar] = WorkloadMeta.ForDeployment(project, d.Name, version),
        };
        var spec = new WorkloadSpec
        {
            Name = $"depl-{d.Id}",
            Kind = WorkloadKind.Service,
            Image = ProjectImages.NotebookBase,
            Command = [],
            Env = env,
            Ports = [new PortSpec(d.Port)],
            HealthCheck = HealthCheck(d),
            Replicas = d.Replicas,
            Resources = profiles.Resolve(d.ResourceProfile, ResourceProfiles.Deploy).Profile,
            Labels = labels.For("deployment", d.Id, d.Name, project.Name),
        };
        // A package's image holds the version, the code and the server: its own entrypoint runs, on any node.
        if (d.Package is { } package) return spec with { Image = package.Image, AnyNode = true };

        var codeDir = d.Details.TryGetValue(CodeDirDetail, out var inImage) ? inImage.GetString()! : WorkMounts.Project;
        if (project.HomeDir is not null)
        {
            // Checked at each use: the folder may have become a link elsewhere since the project was registered.
            if (hostPaths.Problem(project.HomeDir, ActorContext.Current) is { } homeProblem)
                throw new ValidationFailedException("project", homeProblem);
            codeDir = WorkMounts.Project;
        }
        env["PORTAL_MODEL_DIR"] = WorkMounts.Model;
        spec = spec with
        {
            Image = d.BuildVersion?.Image ?? ProjectImages.NotebookBase,
            Command = ["python3", "-m", "portal_toolkit.serve", "--entry", d.Notebook, "--code", codeDir, "--model-dir", WorkMounts.Model],
        };
        if (await manager.MayRunElsewhereAsync(ct))
        {
            // Replicas may start on any node, now or later: each fetches the version (and the home directory) with a grant.
            env["PORTAL_API_URL"] = await portal.ApiBaseUrlAsync(ct);
            env[WorkStaging.GrantVariable] = grants.ForDeployment(d, version.Id);
            return WorkStaging.Fetching(spec, project.HomeDir is null ? FetchVersion : FetchVersionAndProject, sendResults: false);
        }
        var modelDir = await ArtifactFolders.OfModelVersionAsync(files, version, WorkDir(d.Id), ct);
        List<MountSpec> mounts = [new MountSpec(modelDir, WorkMounts.Model, ReadOnly: true)];
        if (project.HomeDir is not null) mounts.Insert(0, new MountSpec(project.HomeDir, WorkMounts.Project, ReadOnly: true));
        return spec with { Mounts = mounts };
    }

    /// <summary>Unpacked model files and the like, removed with the deployment.</summary>
    public string WorkDir(long id) => Path.Combine(paths.DataDir, "work", "deployments", id.ToString(CultureInfo.InvariantCulture));

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
}
