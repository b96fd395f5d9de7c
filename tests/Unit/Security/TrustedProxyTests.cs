using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Core.Configuration;
using Portal.Core.Security;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Security;

/// <summary>
/// Behind an ingress that terminates TLS: forwarded headers from a listed proxy give the caller's address (audit)
/// and https (redirects); from anyone else they are ignored. Real Kestrel on loopback, so the proxy is 127.0.0.1.
/// </summary>
public class TrustedProxyTests
{
    private static async Task<(string Location, string? Address)> CallThroughProxyAsync(RealPortalHost portal)
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(portal.BaseAddress) };
        using var page = new HttpRequestMessage(HttpMethod.Get, "/projects");
        page.Headers.Add("X-Forwarded-Proto", "https");
        page.Headers.Add("X-Forwarded-For", "203.0.113.9");
        using var redirected = await anonymous.SendAsync(page);
        Assert.Equal(HttpStatusCode.Redirect, redirected.StatusCode);

        using var viewer = new HttpClient { BaseAddress = new Uri(portal.BaseAddress) };
        viewer.UseToken(await TestIdentities.TokenAsync(portal.Services, "vera", Roles.Viewer));
        using var refused = new HttpRequestMessage(HttpMethod.Post, "/api/v1/models") { Content = JsonContent.Create(new { name = "m" }) };
        refused.Headers.Add("X-Forwarded-For", "198.51.100.7, 203.0.113.9");
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.SendAsync(refused)).StatusCode);
        var audit = await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/audit?actor=vera&outcome=denied");
        var row = Assert.Single(audit.GetProperty("items").EnumerateArray());
        return (redirected.Headers.Location!.ToString(), row.GetProperty("address").GetString());
    }

    [Fact]
    public async Task A_listed_proxy_gives_the_callers_address_and_scheme()
    {
        await using var portal = await RealPortalHost.StartAsync("auth:\n  trusted_proxies: [127.0.0.1]\n");
        var (location, address) = await CallThroughProxyAsync(portal);
        Assert.StartsWith("https://", location);
        // Only the last hop is the listed proxy: the address before it is where the request came from.
        Assert.Equal("203.0.113.9", address);
    }

    [Fact]
    public async Task Without_listed_proxies_forwarded_headers_are_ignored()
    {
        await using var portal = await RealPortalHost.StartAsync();
        var (location, address) = await CallThroughProxyAsync(portal);
        Assert.StartsWith("http://127.0.0.1", location);
        Assert.Equal("127.0.0.1", address);
    }

    [Fact]
    public void A_proxy_entry_that_is_neither_an_address_nor_a_range_is_refused_where_it_stands()
    {
        var e = Assert.Throws<ConfigException>(() => PortalConfigLoader.Parse("auth:\n  trusted_proxies: [10.0.0.0/8, ingress.local]\n", "portal.yaml"));
        var problem = Assert.Single(e.Problems);
        Assert.Equal(2, problem.Line);
        Assert.Contains("'auth.trusted_proxies[1]' is 'ingress.local'; write an address (10.0.0.7) or a CIDR range (10.0.0.0/8).", problem.Message);
        Assert.Equal(["10.0.0.0/8", "fd00::/8"], PortalConfigLoader.Parse("auth:\n  trusted_proxies: [10.0.0.0/8, fd00::/8]\n", "portal.yaml").Auth.TrustedProxies);
    }
}
