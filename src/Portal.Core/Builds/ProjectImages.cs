using Portal.Core.Configuration;
using Portal.Core.Entities;

namespace Portal.Core.Builds;

/// <summary>Image names for projects: <c>[registry/]portal/{project}:{tag}</c> for builds, <c>{docker_repo}:{tag}</c> for pre-built images.</summary>
public sealed partial class ProjectImages(PortalConfig config)
{
    /// <summary>The image trainings use when no build tag is chosen.</summary>
    public const string NotebookBase = "portal/notebook-base:latest";
    public const string DefaultTag = "latest";

    public string For(Project project, string tag, BuildSource from) => from == BuildSource.PreBuilt
        ? $"{project.DockerRepo}:{tag}"
        : $"{Registry}portal/{project.Name}:{tag}";

    /// <summary>The image of a model package: <c>[registry/]portal/package-{name}:{tag}</c>.</summary>
    public string ForPackage(string package, string tag) => $"{Registry}portal/package-{package}:{tag}";

    /// <summary>Whether images are named for a registry (docker.target_registry), so that what is made is pushed there.</summary>
    public bool PushesTo => !string.IsNullOrWhiteSpace(config.Docker.TargetRegistry);

    private string Registry => string.IsNullOrWhiteSpace(config.Docker.TargetRegistry) ? "" : config.Docker.TargetRegistry.TrimEnd('/') + "/";

    /// <summary>Null when the tag is valid; else what is wrong (Docker's tag grammar).</summary>
    public static string? CheckTag(string tag)
    {
        if (tag.Length is 0 or > 128) return $"The tag must be 1 to 128 characters long; '{tag}' has {tag.Length}.";
        if (!(char.IsAsciiLetterOrDigit(tag[0]) || tag[0] == '_')) return $"The tag '{tag}' must start with a letter, digit or underscore.";
        foreach (var c in tag)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
                return $"The tag '{tag}' contains '{c}'; only letters, digits, '_', '.' and '-' are allowed.";
        return null;
    }

    /// <summary>Null when <paramref name="registry"/> is a registry address (host[:port][/path], no scheme); else what is wrong.</summary>
    public static string? RegistryProblem(string registry) =>
        registry.Length > 0 && !registry.Contains("://", StringComparison.Ordinal) && CheckReference($"{registry.TrimEnd('/')}/portal/x:1") is null ? null
            : $"'{registry}' is not a registry address; write host[:port][/path], e.g. registry.example.com:5000/team.";

    /// <summary>Null when <paramref name="reference"/> is an image reference Docker accepts ([host[:port]/]path[:tag][@digest]); else what is wrong.</summary>
    public static string? CheckReference(string reference) =>
        reference.Length <= 255 && ImageReference().IsMatch(reference) ? null
            : $"'{reference}' is not an image reference; write [registry/]name[:tag], lowercase, e.g. portal/notebook-base:latest.";

    [System.Text.RegularExpressions.GeneratedRegex(@"^([a-zA-Z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$")]
    private static partial System.Text.RegularExpressions.Regex ImageReference();
}
