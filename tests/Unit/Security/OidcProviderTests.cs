using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Portal.Tests.Shared;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Security;

/// <summary>
/// Bearer tokens from a real OpenID provider (oidc-provider from npm, on loopback): signature, issuer, audience,
/// expiry, roles from realm_access.roles, key rotation, and clear messages when the provider is away or misnamed.
/// </summary>
public class OidcProviderTests
{
    private const string Clients = """[{"client_id":"portal","client_secret":"portal-secret","redirect_uris":["http://localhost/signin-oidc"]},{"client_id":"other-app","client_secret":"x","redirect_uris":["http://localhost/other"]}]""";

    private static string Yaml(string issuer) =>
        $"auth:\n  mode: oidc\n  oidc:\n    issuer: {issuer}\n    client_id: portal\n    client_secret: portal-secret\n    require_https: false\n";

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private static string Claims(string issuer, string user, string role, string aud = "portal", long? exp = null) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["iss"] = issuer, ["aud"] = aud, ["sub"] = user, ["preferred_username"] = user, ["iat"] = Now, ["exp"] = exp ?? Now + 300,
        ["realm_access"] = new { roles = new[] { role } },
    });

    private static async Task<HttpResponseMessage> CallAsync(HttpClient http, HttpMethod method, string path, string token)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new("Bearer", token);
        if (method == HttpMethod.Post) request.Content = JsonContent.Create(new { name = $"m-{Guid.NewGuid():N}"[..20] });
        return await http.SendAsync(request);
    }

    [SkippableFact]
    public async Task Provider_tokens_are_accepted_with_mapped_roles_and_refused_when_anything_is_off()
    {
        OidcProviderProcess.Require();
        await using var idp = await OidcProviderProcess.StartAsync(Clients);
        using var app = new PortalAppFactory(Yaml(idp.Issuer));
        using var http = app.CreateClient();

        var alice = await idp.SignAsync(Claims(idp.Issuer, "alice", "portal_data_scientist"));
        var me = await (await CallAsync(http, HttpMethod.Get, "/api/v1/me", alice)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("alice", me.GetProperty("name").GetString());
        Assert.Equal(["data_scientist"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(HttpStatusCode.Created, (await CallAsync(http, HttpMethod.Post, "/api/v1/models", alice)).StatusCode);

        var victor = await idp.SignAsync(Claims(idp.Issuer, "victor", "portal_viewer"));
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(http, HttpMethod.Get, "/api/v1/models", victor)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await CallAsync(http, HttpMethod.Post, "/api/v1/models", victor)).StatusCode);

        async Task Refused(string token, string why)
        {
            var response = await CallAsync(http, HttpMethod.Get, "/api/v1/models", token);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(body.Contains(why), body);
        }
        await Refused(await idp.SignAsync(Claims(idp.Issuer, "alice", "portal_admin", exp: Now - 120)), "expired");
        await Refused(await idp.SignAsync(Claims(idp.Issuer, "alice", "portal_admin", aud: "other-app")), "another audience");
        await Refused(await idp.SignAsync(Claims("http://127.0.0.1:1", "alice", "portal_admin")), "another issuer");
        // The same signed token with its payload changed (roles raised to admin): the signature no longer holds.
        var parts = alice.Split('.');
        var raised = Convert.ToBase64String(Encoding.UTF8.GetBytes(Claims(idp.Issuer, "alice", "portal_admin"))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await Refused($"{parts[0]}.{raised}.{parts[2]}", "signature");
        var unsigned = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"alg":"none","typ":"JWT"}""")).TrimEnd('=');
        await Refused($"{unsigned}.{raised}.", "signature");
    }

    [SkippableFact]
    public async Task Roles_in_a_flat_groups_claim_are_mapped_through_the_role_map()
    {
        OidcProviderProcess.Require();
        await using var idp = await OidcProviderProcess.StartAsync(Clients);
        using var app = new PortalAppFactory(Yaml(idp.Issuer) +
            "  role_claim: groups\n  role_map:\n    ml-scientists: data_scientist\n    ml-readers: viewer\n");
        using var http = app.CreateClient();
        string Token(string user, params string[] groups) => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["iss"] = idp.Issuer, ["aud"] = "portal", ["sub"] = user, ["preferred_username"] = user, ["iat"] = Now, ["exp"] = Now + 300,
            ["groups"] = groups,
            // What a Keycloak-shaped portal would read: ignored here, the portal reads the configured claim only.
            ["realm_access"] = new { roles = new[] { "portal_admin" } },
        });

        var alice = await idp.SignAsync(Token("alice", "ml-scientists", "staff"));
        var me = await (await CallAsync(http, HttpMethod.Get, "/api/v1/me", alice)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["data_scientist"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(HttpStatusCode.Created, (await CallAsync(http, HttpMethod.Post, "/api/v1/models", alice)).StatusCode);

        var victor = await idp.SignAsync(Token("victor", "ml-readers"));
        Assert.Equal(HttpStatusCode.Forbidden, (await CallAsync(http, HttpMethod.Post, "/api/v1/models", victor)).StatusCode);
        // A group the map does not name gives no role: signed in, allowed nothing.
        var nobody = await idp.SignAsync(Token("nobody", "staff"));
        Assert.Equal(HttpStatusCode.Forbidden, (await CallAsync(http, HttpMethod.Get, "/api/v1/models", nobody)).StatusCode);
    }

    [SkippableFact]
    public async Task A_rotated_signing_key_is_fetched_without_a_restart()
    {
        OidcProviderProcess.Require();
        using var dir = new TempDir();
        await using var before = await OidcProviderProcess.StartAsync(Clients, Path.Combine(dir.Path, "keys-a.json"));
        var port = before.Port;
        using var app = new PortalAppFactory(Yaml(before.Issuer));
        using var http = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(http, HttpMethod.Get, "/api/v1/models", await before.SignAsync(Claims(before.Issuer, "alice", "portal_viewer")))).StatusCode);

        // The provider restarts with a new signing key; the portal has the old key set cached. The portal fetches keys
        // again at most every few seconds (tokens with unknown keys are cheap to send), so the test lets that pass.
        await before.DisposeAsync();
        await Task.Delay(Portal.Web.Auth.ProviderAuthentication.MinRefetch);
        await using var after = await OidcProviderProcess.StartAsync(Clients, Path.Combine(dir.Path, "keys-b.json"), port);
        var token = await after.SignAsync(Claims(after.Issuer, "alice", "portal_viewer"));
        var response = await CallAsync(http, HttpMethod.Get, "/api/v1/models", token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [SkippableFact]
    public async Task An_unreachable_or_misnamed_provider_gets_a_message_that_says_what_to_check()
    {
        OidcProviderProcess.Require();
        using (var down = new PortalAppFactory(Yaml("http://127.0.0.1:9")))
        {
            var message = await SignInErrorAsync(down);
            Assert.Contains("cannot be reached", message);
            Assert.Contains("auth.oidc.issuer", message);
        }
        await using var idp = await OidcProviderProcess.StartAsync(Clients);
        using var misnamed = new PortalAppFactory(Yaml($"http://localhost:{idp.Port}"));
        Assert.Contains("names the issuer", await SignInErrorAsync(misnamed));
    }

    /// <summary>Starts a provider sign-in and returns the message the sign-in page then shows.</summary>
    private static async Task<string> SignInErrorAsync(PortalAppFactory app)
    {
        using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var start = await browser.GetAsync("/signin/oidc");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        Assert.Equal("/signin", start.Headers.Location!.OriginalString);
        var page = WebUtility.HtmlDecode(await browser.GetStringAsync("/signin"));
        var at = page.IndexOf("id=\"signin-error\"", StringComparison.Ordinal);
        Assert.True(at >= 0, page);
        return page[at..page.IndexOf("</div>", at, StringComparison.Ordinal)];
    }
}
