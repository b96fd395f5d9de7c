using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Portal.Core.Configuration;
using Portal.Core.Services;

namespace Portal.Web.Hosting;

/// <summary>
/// Tells running work where the portal's API is: container_manager.portal_url when set, else the address the
/// portal listens on (a wildcard host becomes 127.0.0.1, which host processes of the local manager can reach).
/// </summary>
public sealed class PortalAddress(IServer server, PortalConfig config) : IPortalAddress
{
    public string ApiBaseUrlFor(string managerKind)
    {
        if (!string.IsNullOrWhiteSpace(config.ContainerManager.PortalUrl)) return config.ContainerManager.PortalUrl.TrimEnd('/');
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses
            .OrderBy(a => a.StartsWith("https", StringComparison.Ordinal))
            .FirstOrDefault() ?? "http://127.0.0.1:5000";
        var uri = new Uri(address.Replace("://+", "://0.0.0.0").Replace("://*", "://0.0.0.0").Replace("://[::]", "://0.0.0.0"));
        var host = uri.Host is "0.0.0.0" or "localhost" ? "127.0.0.1" : uri.Host;
        return $"{uri.Scheme}://{host}:{uri.Port}";
    }
}
