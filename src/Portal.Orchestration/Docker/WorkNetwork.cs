using Docker.DotNet.Models;
using Portal.Core.Configuration;
using Portal.Core.Containers;

namespace Portal.Orchestration.Docker;

/// <summary>
/// The network user code joins on Docker (docker.network, created when missing): an attachable overlay on a swarm
/// manager, a bridge for plain containers elsewhere. Never the host's network, where a notebook could reach the host's loopback services
/// and, with a raw socket, read other users' traffic.
/// </summary>
public sealed class WorkNetwork(DockerEngine docker, PortalConfig config) : IWorkNetwork
{
    /// <summary>Swarm's bridge that gives overlay containers their way out to the host.</summary>
    private const string SwarmGatewayBridge = "docker_gwbridge";

    private bool OnSwarm => config.ContainerManager.Type == "swarm";
    public string Name => config.Docker.Network;

    /// <summary>
    /// The network's id, created when missing (two portals creating it at once both end up using the one made). Looked up
    /// each time: someone may have removed it since. On a swarm manager both managers use one attachable overlay (the engine
    /// refuses a bridge of the same name next to it); plain containers join it by id, which the engine resolves where a
    /// name is not. Elsewhere plain containers get a bridge.
    /// </summary>
    public async Task<string> EnsureAsync(CancellationToken ct)
    {
        var driver = await DriverAsync(ct);
        if (await FindAsync(Name, driver, ct) is { } found)
        {
            if (driver == "overlay" && !found.Attachable && !OnSwarm)
                throw new ContainerManagerException($"The overlay network '{Name}' (docker.network) is not attachable, so plain containers cannot join it; " +
                    "remove it (the portal makes an attachable one) or choose another name.");
            return found.ID;
        }
        // A swarm manager that has just started (or restarted) can refuse an overlay for a moment: a refusal is tried again.
        for (var attempt = 1; ; attempt++)
        {
            string? error = null;
            try
            {
                await docker.CallAsync((c, t) => c.Networks.CreateNetworkAsync(new NetworksCreateParameters
                {
                    Name = Name,
                    Driver = driver,
                    Attachable = driver == "overlay",
                    Labels = new Dictionary<string, string> { [PortalLabels.Owner] = PortalLabels.OwnerValue },
                }, t), ct);
            }
            catch (ContainerManagerException e)
            {
                // Made by someone else meanwhile, or really refused: the lookup below tells.
                error = e.Message;
            }
            if ((await FindAsync(Name, driver, ct))?.ID is { } id) return id;
            if (attempt == CreateAttempts)
                throw new ContainerManagerException($"The {driver} network '{Name}' (docker.network) could not be created" +
                    (error is null ? "." : $": {error}"));
            await Task.Delay(TimeSpan.FromSeconds(attempt), ct);
        }
    }

    private const int CreateAttempts = 4;

    public async Task<string?> HostAddressAsync(CancellationToken ct)
    {
        var id = await EnsureAsync(ct);
        // The gateway is each node's own: on a swarm of several nodes, work elsewhere reaches the portal's host at the
        // address the swarm knows it by.
        if (OnSwarm && await docker.InfoAsync(ct) is { Swarm: { Nodes: > 1, NodeAddr: { Length: > 0 } nodeAddress } }) return nodeAddress;
        var network = await docker.CallAsync((c, t) => c.Networks.InspectNetworkAsync(id, t), ct);
        // Overlay containers leave the overlay through Swarm's gateway bridge; the host is its gateway.
        return Gateway(network.Driver == "overlay" ? await FindAsync(SwarmGatewayBridge, "bridge", ct) : network);
    }

    private async Task<string> DriverAsync(CancellationToken ct)
    {
        if (OnSwarm) return "overlay";
        var info = await docker.InfoAsync(ct);
        return info.Swarm?.LocalNodeState == "active" && info.Swarm.ControlAvailable ? "overlay" : "bridge";
    }

    private static string? Gateway(NetworkResponse? network) =>
        network?.IPAM?.Config?.Select(c => c.Gateway).FirstOrDefault(g => !string.IsNullOrEmpty(g) && !g.Contains(':', StringComparison.Ordinal));

    private async Task<NetworkResponse?> FindAsync(string name, string driver, CancellationToken ct)
    {
        var all = await docker.CallAsync((c, t) => c.Networks.ListNetworksAsync(new NetworksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["name"] = new Dictionary<string, bool> { [name] = true },
                ["driver"] = new Dictionary<string, bool> { [driver] = true },
            },
        }, t), ct);
        // The name filter matches parts of names; only the exact one counts.
        var match = all.FirstOrDefault(n => n.Name == name);
        // A listing may leave fields out: the network's own inspection has them all.
        return match is null ? null : await docker.FindAsync((c, t) => c.Networks.InspectNetworkAsync(match.ID, t), ct);
    }
}
