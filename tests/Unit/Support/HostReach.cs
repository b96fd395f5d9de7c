using System.Net;
using System.Net.Sockets;
using Portal.Core.Containers;

namespace Portal.Tests.Unit.Support;

/// <summary>
/// What a workload reaches of its host: a service on the host's loopback (the portal's own, a database) must be out of
/// reach; the host's address on the work network, where the portal's API answers, must not.
/// </summary>
public static class HostReach
{
    public sealed record Result(string Log, bool LoopbackContacted, bool HostAddressContacted);

    /// <summary>Runs the probe and asserts the host's loopback was out of reach and its address on the work network was not.</summary>
    public static async Task AssertOffTheHostNetworkAsync(IWorkNetwork network, Func<WorkloadSpec, Task<string>> start, Func<string, Task<string>> finishedLog)
    {
        var reach = await ProbeAsync(network, start, finishedLog);
        Assert.Contains("loopback:refused", reach.Log);
        Assert.Contains("host:reached", reach.Log);
        Assert.False(reach.LoopbackContacted);
        Assert.True(reach.HostAddressContacted);
    }

    public static async Task<Result> ProbeAsync(IWorkNetwork network, Func<WorkloadSpec, Task<string>> start, Func<string, Task<string>> finishedLog)
    {
        using var loopback = new TcpListener(IPAddress.Loopback, 0);
        using var everywhere = new TcpListener(IPAddress.Any, 0);
        loopback.Start();
        everywhere.Start();
        var host = await network.HostAddressAsync(CancellationToken.None);
        Assert.False(string.IsNullOrEmpty(host));
        var loopbackPort = ((IPEndPoint)loopback.LocalEndpoint).Port;
        var hostPort = ((IPEndPoint)everywhere.LocalEndpoint).Port;
        var loopbackHit = AcceptAndCloseAsync(loopback);
        var hostHit = AcceptAndCloseAsync(everywhere);
        var id = await start(new WorkloadSpec
        {
            Name = "reach",
            Image = RealDocker.BusyboxImage,
            Command = ["/bin/sh", "-c",
                $"if echo a | nc -w 2 127.0.0.1 {loopbackPort}; then echo loopback:reached; else echo loopback:refused; fi; " +
                $"if echo b | nc -w 2 {host} {hostPort}; then echo host:reached; else echo host:refused; fi"],
            Labels = new Dictionary<string, string> { [PortalLabels.Kind] = "test" },
        });
        var log = await finishedLog(id);
        await Task.WhenAny(hostHit, Task.Delay(TimeSpan.FromSeconds(5)));
        var result = new Result(log, loopbackHit is { IsCompletedSuccessfully: true, Result: true }, hostHit is { IsCompletedSuccessfully: true, Result: true });
        loopback.Stop();
        everywhere.Stop();
        return result;
    }

    /// <summary>Whether anyone connected; the connection is closed at once, so the client (nc) ends.</summary>
    private static async Task<bool> AcceptAndCloseAsync(TcpListener listener)
    {
        try
        {
            using var client = await listener.AcceptTcpClientAsync();
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { return false; }
    }
}
