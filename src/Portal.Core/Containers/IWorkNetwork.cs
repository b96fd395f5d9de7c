namespace Portal.Core.Containers;

/// <summary>
/// The network container work joins instead of the host's. Work reaches the portal through the host's address on it
/// (unless container_manager.portal_url says otherwise).
/// </summary>
public interface IWorkNetwork
{
    /// <summary>
    /// The host's address as the work's containers see it (a gateway, or on a swarm of several nodes the portal node's
    /// address); null when it cannot be told.
    /// </summary>
    Task<string?> HostAddressAsync(CancellationToken ct);
}
