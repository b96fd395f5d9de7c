using Portal.Core.Configuration;
using Portal.Core.Errors;

namespace Portal.Core.Containers;

/// <summary>Picks the resource profile for a piece of work: the one asked for, or the work section's default (nha-train, nha-ide, nha-depl).</summary>
public sealed class ResourceProfiles(PortalConfig config)
{
    public const string Train = "nha-train";
    public const string Ide = "nha-ide";
    public const string Deploy = "nha-depl";

    public IReadOnlyCollection<string> Names => config.ContainerManager.ResourceProfiles.Keys;

    /// <summary>Returns the profile and its name; an unknown name is a validation error before anything starts.</summary>
    public (string Name, ResourceProfile? Profile) Resolve(string? requested, string section, string field = "resource_profile")
    {
        var name = string.IsNullOrWhiteSpace(requested) ? section : requested.Trim();
        if (config.ContainerManager.ResourceProfiles.TryGetValue(name, out var profile)) return (name, profile);
        if (string.IsNullOrWhiteSpace(requested)) return (name, null);
        throw new ValidationFailedException(field,
            $"There is no resource profile named '{name}'. Known profiles: {string.Join(", ", Names.Order())} (container_manager.resource_profiles in portal.yaml).");
    }
}
