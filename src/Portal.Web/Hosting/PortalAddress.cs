using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Core.Services;

namespace Portal.Web.Hosting;

/// <summary>
/// Tells running work where the portal's API is: container_manager.portal_url when set; else, for containers, the
/// host's address on the work network (they are not on the host's network) at the port the portal listens on; for
/// host processes of the local manager, loopback. Work launched while the portal starts (a sweep going on, a schedule's
/// missed run) waits until the server listens: before that its addresses are the configured ones (port 0 is not a port).
/// </summary>
public sealed class PortalAddress(IServer server, PortalConfig config, Ide.IdeOrigin ideOrigin, IContainerManager manager, IServiceProvider services,
    IHostApplicationLifetime lifetime) : IPortalAddress
{
    public async Task<string> ApiBaseUrlAsync(CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(config.ContainerManager.PortalUrl)) return config.ContainerManager.PortalUrl.TrimEnd('/');
        await ListeningAsync(ct);
        var listening = (server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
            .Select(a => new Uri(a.Replace("://+", "://0.0.0.0").Replace("://*", "://0.0.0.0").Replace("://[::]", "://0.0.0.0")))
            .Where(u => !ideOrigin.IsIdePort(u.Port))
            .OrderBy(u => u.Scheme == "https")
            .ToList();
        var uri = listening.FirstOrDefault() ?? new Uri("http://127.0.0.1:5000");
        if (manager.Capabilities.SharesHostLoopback || services.GetService<IWorkNetwork>() is not { } network)
            return $"{uri.Scheme}://{(uri.Host is "0.0.0.0" or "localhost" ? "127.0.0.1" : uri.Host)}:{uri.Port}";
        var host = await network.HostAddressAsync(ct)
            ?? throw new ContainerManagerException("The host's address on the work network could not be told; set container_manager.portal_url.");
        var reachable = listening.FirstOrDefault(u => u.Host == "0.0.0.0" || u.Host == host);
        if (reachable is null)
            throw new ContainerManagerException(
                $"Work on {manager.Capabilities.Kind} reaches the portal at {host} (the host's address on its network), but the portal listens on " +
                $"{string.Join(", ", listening.Select(u => u.Authority))} only. An admin lets the portal listen there too " +
                $"(e.g. ASPNETCORE_URLS=http://0.0.0.0:{uri.Port}) or sets container_manager.portal_url.");
        return $"{reachable.Scheme}://{(IPAddress.TryParse(host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{host}]" : host)}:{reachable.Port}";
    }

    private async Task ListeningAsync(CancellationToken ct)
    {
        if (lifetime.ApplicationStarted.IsCancellationRequested) return;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(ct);
    }
}
