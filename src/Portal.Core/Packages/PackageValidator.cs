using System.Text.RegularExpressions;
using Portal.Core.Builds;
using Portal.Core.Deployments;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Security;
using Portal.Core.Services;
using Portal.Core.Stores;

namespace Portal.Core.Packages;

/// <summary>Checks a package request before anything runs; every problem comes back at once, by field.</summary>
public sealed partial class PackageValidator(
    IPackageStore packages, IProjectStore projects, IModelVersionStore versions, IBuildStore builds, IImageFiles imageFiles, HostPaths hostPaths,
    ProjectImages images, CredentialVault vault)
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
        if (project is not null && DeploymentValidator.EntryProblem(project, entry) is { } entryProblem) errors.Add("entry", entryProblem);
        // Checked at each use: the home folder may have become a link elsewhere since the project was registered.
        if (project?.HomeDir is { } home && hostPaths.Problem(home, ActorContext.Current) is { } homeProblem) errors.Add("project", homeProblem);
        BuildVersion? build = null;
        var buildTag = string.IsNullOrWhiteSpace(request.BuildTag) ? null : request.BuildTag.Trim();
        if (project is not null && buildTag is not null && (build = await builds.FindAsync(project.Id, buildTag, ct)) is null)
            errors.Add("build_tag", $"The project '{project.Name}' has no build tagged '{buildTag}'; build it first, or leave the tag empty.");
        var imageCodeDir = await DeploymentValidator.ImageCodeDirAsync(imageFiles, errors, project, build, buildTag, entry, ct);

        var name = string.IsNullOrWhiteSpace(request.Name) && version is not null
            ? Slug($"{version.Model!.Name}-{version.Name}-{kind.ToString().ToLowerInvariant()}")
            : (request.Name ?? "").Trim();
        InputRules.Name(errors, "name", name, "package name");
        if (errors.IsEmpty && await packages.FindAsync(name, ct) is not null)
            errors.Add("name", $"A package named '{name}' exists already; name this one, or remove that one first.");
        var registry = string.IsNullOrWhiteSpace(request.Registry) ? null : request.Registry.Trim().TrimEnd('/');
        if (registry is not null && (registry.Contains("://", StringComparison.Ordinal) || ProjectImages.CheckReference($"{registry}/portal/x:1") is not null))
            errors.Add("registry", $"'{registry}' is not a registry address; write host[:port][/path], e.g. registry.example.com:5000/team.");
        if (request.Credential is { Length: > 0 } && registry is null)
            errors.Add("credential", "A credential is for pushing: name the registry to push to as well.");
        errors.ThrowIfAny();
        var image = registry is null ? images.ForPackage(name, Slug(version!.Name)) : $"{registry}/portal/package-{name}:{Slug(version!.Name)}";
        var (auth, credential) = await PushAuthAsync(request.Credential, registry, ct);
        return new PackagePlan(name, kind, version, project!, build, entry, imageCodeDir, image, Push: registry is not null || images.PushesTo,
            auth, credential);
    }

    /// <summary>The vault's login for the registry; the credential goes only to the address its owner set on it.</summary>
    private async Task<(RegistryAuth?, string?)> PushAuthAsync(string? name, string? registry, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(name) || registry is null) return (null, null);
        var actor = ActorContext.Current ?? throw new AccessDeniedException("Sign in to push with a credential.");
        var (credential, secret) = await vault.RevealAsync(actor, name.Trim(), ct);
        if (credential.Kind is not (CredentialKind.Docker or CredentialKind.Basic))
            throw new ValidationFailedException("credential", $"The credential '{credential.Name}' is a {credential.Kind} credential; pushing an image needs a docker or basic one.");
        CredentialScope.Check(credential, registry, "credential");
        return (new RegistryAuth(CredentialVault.Detail(credential, "username") ?? "", secret, credential.Uri), credential.Name);
    }

    private static PackageKind Fail(ValidationErrors errors, string kind)
    {
        errors.Add("kind", $"'{kind}' is not a packager; use rest (an image serving the model's API) or cli (an image scoring files).");
        return PackageKind.Rest;
    }

    /// <summary>Lowercase letters, digits and dashes, at most 63: what names and tags take.</summary>
    private static string Slug(string text)
    {
        var slug = NotNameChars().Replace(text.ToLowerInvariant(), "-").Trim('-');
        return slug.Length <= 63 ? slug : slug[..63].TrimEnd('-');
    }

    [GeneratedRegex("[^a-z0-9-]+")]
    private static partial Regex NotNameChars();
}
