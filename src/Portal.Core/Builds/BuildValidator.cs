using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Security;
using Portal.Core.Stores;

namespace Portal.Core.Builds;

/// <summary>
/// Checks a build before it starts (the source is set and on this host, the Dockerfile is inside the project, the tag's
/// grammar, the credential's kind and scope) and turns it into a <see cref="BuildPlan"/>; every problem comes back at once.
/// </summary>
public sealed class BuildValidator(IProjectStore projects, ProjectImages names, CredentialVault vault, HostPaths hostPaths)
{
    public async Task<BuildPlan> CheckAsync(string projectName, BuildRequest request, CancellationToken ct)
    {
        var project = await projects.FindAsync(projectName, ct) ?? throw new NotFoundException("project", projectName);
        var errors = new ValidationErrors();
        var tag = string.IsNullOrWhiteSpace(request.Tag) ? ProjectImages.DefaultTag : request.Tag.Trim();
        if (ProjectImages.CheckTag(tag) is { } tagProblem) errors.Add("tag", tagProblem);
        var dockerfile = string.IsNullOrWhiteSpace(request.Dockerfile) ? "Dockerfile" : request.Dockerfile.Trim().Replace('\\', '/');
        switch (request.From)
        {
            case BuildSource.Local when project.HomeDir is null:
                errors.Add("from", $"The project '{project.Name}' has no home directory; set one, or build from its git repository or docker repository.");
                break;
            case BuildSource.Local when !Directory.Exists(project.HomeDir):
                errors.Add("from", $"The home directory {project.HomeDir} does not exist on the portal's host.");
                break;
            // The home directory is sent to the engine as the build context: its files end up in the image and the log.
            case BuildSource.Local when hostPaths.Problem(project.HomeDir, ActorContext.Current) is { } hostProblem:
                errors.Add("from", hostProblem);
                break;
            case BuildSource.Local when DockerfileProblem(project.HomeDir, dockerfile) is { } problem:
                errors.Add("dockerfile", problem);
                break;
            case BuildSource.Git when string.IsNullOrWhiteSpace(project.GitRepo):
                errors.Add("from", $"The project '{project.Name}' has no git repository; set one, or build from its home directory.");
                break;
            case BuildSource.Git when request.GitRef is { Length: > 0 } gitRef && (gitRef.StartsWith('-') || gitRef.Any(char.IsWhiteSpace)):
                errors.Add("git_ref", $"'{gitRef}' is not a branch, tag or commit name.");
                break;
            case BuildSource.PreBuilt when string.IsNullOrWhiteSpace(project.DockerRepo):
                errors.Add("from", $"The project '{project.Name}' has no docker repository to take a pre-built image from.");
                break;
        }
        errors.ThrowIfAny();
        return new BuildPlan(project, tag, names.For(project, tag, request.From), dockerfile, request, await AccessAsync(request, project, ct));
    }

    /// <summary>A Dockerfile path inside <paramref name="root"/> that exists, or what is wrong with it.</summary>
    public static string? DockerfileProblem(string root, string dockerfile)
    {
        if (dockerfile.StartsWith('/') || dockerfile.Split('/').Any(s => s is ".." or ""))
            return $"'{dockerfile}' must be a path inside the project, like Dockerfile or docker/Dockerfile.";
        return File.Exists(Path.Combine(root, dockerfile)) ? null : $"There is no {dockerfile} in {root}.";
    }

    private async Task<BuildAccess> AccessAsync(BuildRequest request, Project project, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Credential)) return BuildAccess.None;
        if (request.From == BuildSource.Local)
            throw new ValidationFailedException("credential", "A build from the home directory reads local files; it needs no credential.");
        // The repository is the project's, which others may edit; the credential goes only where its owner said.
        if (request.From == BuildSource.Git)
        {
            var (git, secret) = await vault.RevealForAsync(request.Credential, CredentialKind.Git, project.GitRepo!, "credential", "a git build", ct);
            return new BuildAccess(git.Name, new GitAuth(CredentialVault.Detail(git, "username"), secret), null);
        }
        var (registry, password) = await vault.RevealForAsync(request.Credential, CredentialKind.Docker, project.DockerRepo!, "credential", "a docker build", ct);
        return new BuildAccess(registry.Name, null, new RegistryAuth(CredentialVault.Detail(registry, "username") ?? "", password, registry.Uri));
    }
}
