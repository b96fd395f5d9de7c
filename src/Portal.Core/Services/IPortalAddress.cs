namespace Portal.Core.Services;

/// <summary>Where running work reaches the portal's API (the toolkit reports progress and metrics there).</summary>
public interface IPortalAddress
{
    /// <summary>
    /// Base address for workloads of the given manager kind (a host process and a container see the portal differently);
    /// a <see cref="Containers.ContainerManagerException"/> says why work could not reach the portal as configured.
    /// </summary>
    Task<string> ApiBaseUrlForAsync(string managerKind, CancellationToken ct);
}
