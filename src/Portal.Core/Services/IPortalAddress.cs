namespace Portal.Core.Services;

/// <summary>Where running work reaches the portal's API (the toolkit reports progress and metrics there).</summary>
public interface IPortalAddress
{
    /// <summary>
    /// Base address for the configured manager's work (a host process and a container see the portal differently);
    /// a <see cref="Containers.ContainerManagerException"/> says why work could not reach the portal as configured.
    /// </summary>
    Task<string> ApiBaseUrlAsync(CancellationToken ct);
}
