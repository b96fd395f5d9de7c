using System.Net;
using System.Net.Sockets;
using Portal.Tests.Shared;

namespace Portal.Tests.Unit.Support;

/// <summary>
/// A real swarm of two nodes on the test machine: two dockerds of their own (<see cref="PrivateDockerd"/>), each in its own
/// network namespace joined to a bridge on the host (the host is .1, the manager .2, the worker .3). The worker runs in a
/// mount namespace where /tmp and the repository are empty, as on another machine: the portal's data, its toolkit folder
/// and the example projects are not there, so a bind mount of any of them fails on it. The notebook base image is loaded
/// on both (<c>docker save | docker load</c>). Needs root, as CI runs.
/// </summary>
public sealed class TwoNodeSwarm : IAsyncDisposable
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];
    private readonly int _subnet = Random.Shared.Next(20, 250);
    private bool _bridged;

    public PrivateDockerd Manager { get; } = new();
    public PrivateDockerd Worker { get; } = new("/var/lib", ["/tmp", RepoRoot.Path]);

    private string Bridge => $"ptn{_id}";
    /// <summary>The host's address on the nodes' bridge: where work on either node reaches the portal.</summary>
    public string HostAddress => $"10.213.{_subnet}.1";
    public string ManagerAddress => $"10.213.{_subnet}.2";
    public string WorkerAddress => $"10.213.{_subnet}.3";

    public static async Task<TwoNodeSwarm> StartAsync()
    {
        await PrivateDockerd.RequireAsync();
        var swarm = new TwoNodeSwarm();
        try
        {
            await swarm.ConnectAsync();
            await Task.WhenAll(swarm.Manager.StartAsync(liveRestore: false), swarm.Worker.StartAsync(liveRestore: false));
            await swarm.Manager.DockerAsync("swarm", "init", "--advertise-addr", swarm.ManagerAddress);
            var token = (await swarm.Manager.DockerAsync("swarm", "join-token", "-q", "worker")).Trim();
            await swarm.Worker.DockerAsync("swarm", "join", "--token", token, "--advertise-addr", swarm.WorkerAddress, $"{swarm.ManagerAddress}:2377");
            await Task.WhenAll(LoadNotebookBaseAsync(swarm.Manager), LoadNotebookBaseAsync(swarm.Worker));
            for (var i = 0; i < 240; i++)
            {
                var nodes = (await swarm.Manager.DockerAsync("node", "ls", "--format", "{{.Status}} {{.Availability}}")).Trim().Split('\n');
                if (nodes.Length == 2 && nodes.All(n => n == "Ready Active")) return swarm;
                await Task.Delay(250);
            }
            throw new TimeoutException("The worker did not become a ready swarm node in 60 s.");
        }
        catch
        {
            await swarm.DisposeAsync();
            throw;
        }
    }

    /// <summary>Takes the manager out of or back into the swarm's placement (drain / active).</summary>
    public async Task SetManagerAvailabilityAsync(string availability) =>
        await Manager.DockerAsync("node", "update", "--availability", availability, (await NodeIdsAsync()).Manager);

    /// <summary>The node ids of the two engines: the swarm names them so in tasks.</summary>
    public async Task<(string Manager, string Worker)> NodeIdsAsync()
    {
        var manager = (await Manager.DockerAsync("info", "--format", "{{.Swarm.NodeID}}")).Trim();
        var worker = (await Worker.DockerAsync("info", "--format", "{{.Swarm.NodeID}}")).Trim();
        return (manager, worker);
    }

    /// <summary>A port free on the host now, for a portal that must know its own address before it starts.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task ConnectAsync()
    {
        await Run($"ip link add {Bridge} type bridge && ip addr add {HostAddress}/24 dev {Bridge} && ip link set {Bridge} up");
        _bridged = true;
        // Frames between the nodes cross the host's bridge; with br_netfilter they meet Docker's FORWARD policy (drop).
        await Run($"iptables -I FORWARD -i {Bridge} -o {Bridge} -j ACCEPT");
        foreach (var (node, address, i) in new[] { (Manager, ManagerAddress, 0), (Worker, WorkerAddress, 1) })
        {
            var ns = node.Namespace;
            var veth = $"pv{_id}{i}";
            await Run($"ip netns add {ns} && ip -n {ns} link set lo up && ip link add {veth} type veth peer name eth0 netns {ns} && " +
                $"ip link set {veth} master {Bridge} up && ip -n {ns} addr add {address}/24 dev eth0 && ip -n {ns} link set eth0 up && " +
                $"ip -n {ns} route add default via {HostAddress}");
        }
    }

    private static Task<string> LoadNotebookBaseAsync(PrivateDockerd node) => Run(
        $"docker -H unix:///var/run/docker.sock save portal/notebook-base:latest | docker -H {node.Address.Replace("unix:", "unix://", StringComparison.Ordinal)} load -q");

    private static Task<string> Run(string script) => TestEnvironment.RunAsync("/bin/sh", null, "-c", script);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Worker.Running) await Worker.DockerAsync("swarm", "leave", "--force").ContinueWith(_ => { });
            await Worker.DisposeAsync();
            await Manager.DisposeAsync();
        }
        finally
        {
            if (_bridged) await Run($"iptables -D FORWARD -i {Bridge} -o {Bridge} -j ACCEPT; ip link del {Bridge}; true");
        }
    }
}
