using Portal.Core.Configuration;
using Portal.Core.Builds;
using Portal.Core.Deployments;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Names;
using Portal.Core.Security;
using Portal.Core.Services;
using Portal.Core.Stores;

namespace Portal.Core.Packages;

/// <summary>Checks a package request before anything runs; every problem comes back at once, by field.</summary>
public sealed class PackageValidator(
    IPackageStore packages, IProjectStore projects, IModelVersionStore versions, IBuildStore builds, IImageFiles imageFiles, HostPaths hostPaths,
    ProjectImages images, CredentialVault vault, PortalConfig config)
{
    public async Task<PackagePlan> CheckAsync(PackageRequest request, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var kind = request.Kind?.Trim().ToLowerInvariant() switch
        {
            null or "" or "rest" or "docker-rest" => PackageKind.Rest,
            "cli" or "docker-cli" => PackageKind.Cli,
            var other => Fail(errors, other),
        };
        var version = await versions.FindByReferenceAsync(request.ModelVersion ?? "", ct);
        if (version is null) errors.Add("model_version", $"There is no model version '{request.ModelVersion}'; write it as model/version.");
        var project = await projects.FindAsync((request.Project ?? "").Trim(), ct);
        if (project is null) errors.Add("project", $"There is no project named '{request.Project}': the prediction code comes from a project.");
        var entry = (request.Entry ?? "").Trim().Replace('\\', '/');
        BuildVersion? build = null;
        var buildTag = string.IsNullOrWhiteSpace(request.BuildTag) ? null : request.BuildTag.Trim();
        if (project is not null && buildTag is not null && (build = await builds.FindAsync(project.Id, buildTag, ct)) is null)
            errors.Add("build_tag", $"The project '{project.Name}' has no build tagged '{buildTag}'; build it first, or leave the tag empty.");
        var source = project is null ? CodeSource.Home : Source(errors, request, project, buildTag);
        string? imageCodeDir = null;
        PackageGit? git = null;
        switch (source)
        {
            case CodeSource.Home:
                if (project is not null && PredictionCode.EntryProblem(project.HomeDir, entry) is { } entryProblem) errors.Add("entry", entryProblem);
                // Checked at each use: the home folder may have become a link elsewhere since the project was registered.
                if (project?.HomeDir is { } home && hostPaths.Problem(home, ActorContext.Current) is { } homeProblem) errors.Add("project", homeProblem);
                break;
            case CodeSource.Build:
                if (PredictionCode.EntryProblem(null, entry) is { } shapeProblem) errors.Add("entry", shapeProblem);
                imageCodeDir = await PredictionCode.ImageDirAsync(imageFiles, errors, project!, build, buildTag, entry, ct);
                if (imageCodeDir is null && errors.IsEmpty)
                    errors.Add("code_from", imageFiles.Unavailable ?? $"The code could not be found in the build '{buildTag}'.");
                break;
            case CodeSource.Git:
                // Whether the entry is in the repository is known once it is cloned; the run fails then, saying so.
                if (PredictionCode.EntryProblem(null, entry) is { } gitEntryProblem) errors.Add("entry", gitEntryProblem);
                var gitRef = string.IsNullOrWhiteSpace(request.GitRef) ? null : request.GitRef.Trim();
                if (gitRef is not null && (gitRef.StartsWith('-') || gitRef.Any(char.IsWhiteSpace)))
                    errors.Add("git_ref", $"'{gitRef}' is not a branch, tag or commit name.");
                if (errors.IsEmpty) git = await GitAsync(project!, gitRef, request.GitCredential, ct);
                break;
        }
        if (source != CodeSource.Git && !string.IsNullOrWhiteSpace(request.GitRef))
            errors.Add("git_ref", $"A git ref names the commit to clone; leave it empty to take the code from the {(source == CodeSource.Home ? "home directory" : "build's image")}.");
        if (source != CodeSource.Git && !string.IsNullOrWhiteSpace(request.GitCredential))
            errors.Add("git_credential", "A git credential is for cloning: take the code from git (code_from: git) or leave it empty.");

        var name = string.IsNullOrWhiteSpace(request.Name) && version is not null
            ? NameRules.Slug($"{version.Model!.Name}-{version.Name}-{kind.ToString().ToLowerInvariant()}")
            : (request.Name ?? "").Trim();
        InputRules.Name(errors, "name", name, "package name");
        if (errors.IsEmpty && await packages.FindAsync(name, ct) is not null)
            errors.Add("name", $"A package named '{name}' exists already; name this one, or remove that one first.");
        var registry = string.IsNullOrWhiteSpace(request.Registry) ? null : request.Registry.Trim().TrimEnd('/');
        if (registry is not null && ProjectImages.RegistryProblem(registry) is { } registryProblem) errors.Add("registry", registryProblem);
        else if (registry is not null && PushProblem(registry, ActorContext.Current) is { } pushProblem) errors.Add("registry", pushProblem);
        if (request.Credential is { Length: > 0 } && registry is null)
            errors.Add("credential", "A credential is for pushing: name the registry to push to as well.");
        errors.ThrowIfAny();
        var image = registry is null ? images.ForPackage(name, NameRules.Slug(version!.Name)) : $"{registry}/portal/package-{name}:{NameRules.Slug(version!.Name)}";
        var (auth, credential) = await PushAuthAsync(request.Credential, registry, ct);
        return new PackagePlan(name, kind, version, project!, build, entry, imageCodeDir, image, Push: registry is not null || images.PushesTo,
            auth, credential, git);
    }

    private enum CodeSource { Home, Git, Build }

    /// <summary>
    /// Null when <paramref name="actor"/> may push to <paramref name="registry"/>: the engine pushes from inside the network,
    /// so users reach only the registries an admin opened (security.push_registries, docker.target_registry).
    /// </summary>
    private string? PushProblem(string registry, Actor? actor)
    {
        if (actor is null || actor.Has(Roles.Admin)) return null;
        List<string> open = [.. config.Security.PushRegistries, .. config.Docker.TargetRegistry is { Length: > 0 } target ? [target] : Array.Empty<string>()];
        if (open.Any(r => registry == r.TrimEnd('/') || registry.StartsWith(r.TrimEnd('/') + "/", StringComparison.Ordinal))) return null;
        return $"'{registry}' is not a registry an admin opened to users (security.push_registries: {(open.Count == 0 ? "none" : string.Join(", ", open))}). "
            + "Ask an admin to add it in Settings, or leave the registry empty to keep the image on this engine.";
    }

    /// <summary>Where the code comes from: as asked (a git ref asks for git), or the first the project has of home, build, git.</summary>
    private static CodeSource Source(ValidationErrors errors, PackageRequest request, Project project, string? buildTag)
    {
        var hasGit = !string.IsNullOrWhiteSpace(project.GitRepo);
        var asked = string.IsNullOrWhiteSpace(request.CodeFrom) && !string.IsNullOrWhiteSpace(request.GitRef) ? "git" : request.CodeFrom;
        switch (asked?.Trim().ToLowerInvariant())
        {
            case null or "":
                if (project.HomeDir is not null) return CodeSource.Home;
                if (buildTag is not null || !hasGit) return CodeSource.Build;
                return CodeSource.Git;
            case "home" when project.HomeDir is null:
                errors.Add("code_from", $"The project '{project.Name}' has no home directory; take the code from git or a build.");
                return CodeSource.Home;
            case "home": return CodeSource.Home;
            case "git" when !hasGit:
                errors.Add(string.IsNullOrWhiteSpace(request.CodeFrom) ? "git_ref" : "code_from",
                    $"The project '{project.Name}' has no git repository; set one on the project, or take the code from its home directory or a build.");
                return CodeSource.Git;
            case "git": return CodeSource.Git;
            case "build" when buildTag is null:
                errors.Add("build_tag", "Name the build whose image holds the code.");
                return CodeSource.Build;
            case "build": return CodeSource.Build;
            case var other:
                errors.Add("code_from", $"'{other}' is not a code source; use home, git or build.");
                return CodeSource.Home;
        }
    }

    /// <summary>The clone to make, with the vault's login when one is named: only its owner's, sent only to the address set on it.</summary>
    private async Task<PackageGit> GitAsync(Project project, string? gitRef, string? credentialName, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(credentialName)) return new PackageGit(project.GitRepo!, gitRef, null, null);
        var (credential, secret) = await vault.RevealForAsync(credentialName, CredentialKind.Git, project.GitRepo!, "git_credential", "cloning a repository", ct);
        return new PackageGit(project.GitRepo!, gitRef, new GitAuth(CredentialVault.Detail(credential, "username"), secret), credential.Name);
    }

    /// <summary>The vault's login for the registry; the credential goes only to the address its owner set on it.</summary>
    private async Task<(RegistryAuth?, string?)> PushAuthAsync(string? name, string? registry, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(name) || registry is null) return (null, null);
        var (credential, secret) = await vault.RevealForAsync(name, CredentialKind.Docker, registry, "credential", "pushing an image", ct);
        return (new RegistryAuth(CredentialVault.Detail(credential, "username") ?? "", secret, credential.Uri), credential.Name);
    }

    private static PackageKind Fail(ValidationErrors errors, string kind)
    {
        errors.Add("kind", $"'{kind}' is not a packager; use rest (an image serving the model's API) or cli (an image scoring files).");
        return PackageKind.Rest;
    }
}
