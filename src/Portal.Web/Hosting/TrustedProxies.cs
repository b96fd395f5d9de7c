using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Portal.Core.Configuration;

namespace Portal.Web.Hosting;

/// <summary>
/// Behind an ingress that terminates TLS the portal sees http and the proxy's address. Forwarded headers are
/// believed only from <c>auth.trusted_proxies</c>; with none listed nothing is believed, so a caller cannot forge
/// its address or scheme.
/// </summary>
public static class TrustedProxies
{
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, AuthConfig auth)
    {
        if (auth.TrustedProxies.Count == 0) return services;
        return services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // No hop limit: the chain is walked from the portal outwards while each hop is a trusted proxy.
            o.ForwardLimit = null;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var entry in auth.TrustedProxies)
            {
                if (IPAddress.TryParse(entry, out var address)) o.KnownProxies.Add(address);
                else if (System.Net.IPNetwork.TryParse(entry, out var network))
                    o.KnownIPNetworks.Add(network);
            }
        });
    }

    public static WebApplication UseTrustedProxies(this WebApplication app, AuthConfig auth)
    {
        if (auth.TrustedProxies.Count > 0) app.UseForwardedHeaders();
        return app;
    }
}
