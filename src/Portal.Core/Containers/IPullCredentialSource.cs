using Portal.Core.Builds;

namespace Portal.Core.Containers;

/// <summary>The registry login a cluster pulls the portal's images with, when an admin named one (kube.registry_credential).</summary>
public interface IPullCredentialSource
{
    /// <summary>Null when none is configured.</summary>
    Task<RegistryAuth?> GetAsync(CancellationToken ct);
}
