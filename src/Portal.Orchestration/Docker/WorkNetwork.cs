using Docker.DotNet.Models;
using Portal.Core.Configuration;
using Portal.Core.Containers;

namespace Portal.Orchestration.Docker;

/// <summary>
/// The network user code joins on Docker (docker.network, created when missing): an attachable overlay on Swarm, a
/// bridge for plain containers. Never the host's network, where a notebook could reach the host's loopback services
/// and, with a raw socket, read other users' traffic.
/// </summary>
public sealed class WorkNetwork(DockerEngine docker, PortalConfig config) : IWorkNetwork
{
    /// <summary>Swarm's bridge that gives overlay containers their way out to the host.</summary>
    private const string SwarmGatewayBridge = "docker_gwbridge";
    private string? _id;

    private bool OnSwarm => config.ContainerManager.Type == "swarm";
    public string Name => config.Docker.Network;

    /// <summary>The network's id, created on first use (two portals creating it at once both end up using the one made).</summary>
    public async Task<string> EnsureAsync(CancellationToken ct)
    {
        if (_id is { } known) return known;
        var found = await FindAsync(Name, ct);
        if (found is null)
        {
            // On a swarm manager even plain containers get the attachable overlay, so both managers share one network.
            var info = await docker.InfoAsync(ct);
            var overlay = OnSwarm || info.Swarm?.LocalNodeState == "active" && info.Swarm.ControlAvailable;
            try
            {
                await docker.CallAsync((c, t) => c.Networks.CreateNetworkAsync(new NetworksCreateParameters
                {
                    Name = Name,
                    Driver = overlay ? "overlay" : "bridge",
                    // Standalone containers (a plain-docker manager on the same engine) may join the overlay too.
                    Attachable = overlay,
                    Labels = new Dictionary<string, string> { [PortalLabels.Owner] = PortalLabels.OwnerValue },
                }, t), ct);
            }
            catch (ContainerManagerException)
            {
                // Made by someone else meanwhile, or really refused: the lookup below tells.
            }
            found = await FindAsync(Name, ct) ?? throw new ContainerManagerException($"The network '{Name}' (docker.network) could not be created.");
        }
        // Plain containers may join the swarm's attachable overlay of the same name (one engine, both managers).
        var usable = found.Driver == "overlay" && (found.Attachable || OnSwarm) || found.Driver == "bridge" && !OnSwarm;
        if (!usable)
            throw new ContainerManagerException($"The network '{Name}' (docker.network) uses the {found.Driver} driver" +
                $"{(found.Driver == "overlay" ? " and is not attachable" : "")}; this manager needs {(OnSwarm ? "an overlay" : "a bridge or an attachable overlay")}. " +
                "Choose another name, or remove it.");
        return _id = found.ID;
    }

    public async Task<string?> HostAddressAsync(CancellationToken ct)
    {
        var id = await EnsureAsync(ct);
        var network = await docker.CallAsync((c, t) => c.Networks.InspectNetworkAsync(id, t), ct);
        // Overlay containers leave the overlay through Swarm's gateway bridge; the host is its gateway.
        return Gateway(network.Driver == "overlay" ? await FindAsync(SwarmGatewayBridge, ct) : network);
    }

    private static string? Gateway(NetworkResponse? network) =>
        network?.IPAM?.Config?.Select(c => c.Gateway).FirstOrDefault(g => !string.IsNullOrEmpty(g) && !g.Contains(':', StringComparison.Ordinal));

    private async Task<NetworkResponse?> FindAsync(string name, CancellationToken ct)
    {
        var all = await docker.CallAsync((c, t) => c.Networks.ListNetworksAsync(new NetworksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["name"] = new Dictionary<string, bool> { [name] = true } },
        }, t), ct);
        // The name filter matches parts of names; only the exact one counts, a swarm-wide one first (see EnsureAsync).
        var match = all.Where(n => n.Name == name).OrderBy(n => n.Scope == "swarm" ? 0 : 1).FirstOrDefault();
        // A listing may leave fields out: the network's own inspection has them all.
        return match is null ? null : await docker.FindAsync((c, t) => c.Networks.InspectNetworkAsync(match.ID, t), ct);
    }
}
