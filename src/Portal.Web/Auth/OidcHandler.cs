using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.Extensions.Options;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Security;

namespace Portal.Web.Auth;

/// <summary>
/// OpenID Connect sign-in on the framework's OAuth handler (the OpenIdConnect package is not in the registry):
/// authorization code flow with PKCE (the base class), endpoints from the discovery document, a nonce bound to
/// the sign-in, and the id_token validated against the provider's keys before anyone is signed in.
/// </summary>
public sealed class OidcHandler(
    IOptionsMonitor<OAuthOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    OidcProvider provider, RoleMapping roles, UserService users) : OAuthHandler<OAuthOptions>(options, logger, encoder)
{
    public const string SchemeName = "oidc";
    private const string NonceKey = "oidc.nonce";
    private string? _authorizationEndpoint;

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        try { _authorizationEndpoint = (await provider.DiscoverAsync(Context.RequestAborted)).AuthorizationEndpoint; }
        catch (OidcProviderException e)
        {
            Logger.LogError(e, "Sign-in with the OpenID provider failed");
            SignInPage.RedirectWithError(Response, e.Message);
            return;
        }
        await base.HandleChallengeAsync(properties);
    }

    protected override string BuildChallengeUrl(AuthenticationProperties properties, string redirectUri)
    {
        var nonce = Base64Url(RandomNumberGenerator.GetBytes(32));
        properties.Items[NonceKey] = nonce; // travels inside the protected state, so the callback knows what to expect
        var url = base.BuildChallengeUrl(properties, redirectUri);
        var query = url[Options.AuthorizationEndpoint.Length..];
        if (_authorizationEndpoint!.Contains('?')) query = "&" + query.TrimStart('?');
        return _authorizationEndpoint + query + "&nonce=" + Uri.EscapeDataString(nonce);
    }

    protected override async Task<OAuthTokenResponse> ExchangeCodeAsync(OAuthCodeExchangeContext context)
    {
        var doc = await provider.DiscoverAsync(Context.RequestAborted);
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = context.Code,
            ["redirect_uri"] = context.RedirectUri,
            ["client_id"] = Options.ClientId,
        };
        if (provider.Config.ClientSecret is { Length: > 0 } secret) form["client_secret"] = secret;
        if (context.Properties.Items.Remove(OAuthConstants.CodeVerifierKey, out var verifier) && verifier is not null) form["code_verifier"] = verifier;
        using var request = new HttpRequestMessage(HttpMethod.Post, doc.TokenEndpoint) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await Backchannel.SendAsync(request, Context.RequestAborted);
        var body = await response.Content.ReadAsStringAsync(Context.RequestAborted);
        if (!response.IsSuccessStatusCode)
            return OAuthTokenResponse.Failed(new OidcProviderException($"The provider refused the sign-in code ({(int)response.StatusCode}): {Shorten(body)}"));
        try { return OAuthTokenResponse.Success(JsonDocument.Parse(body)); }
        catch (JsonException) { return OAuthTokenResponse.Failed(new OidcProviderException($"The provider's token endpoint answered with something that is not JSON: {Shorten(body)}")); }
    }

    protected override async Task<AuthenticationTicket> CreateTicketAsync(ClaimsIdentity identity, AuthenticationProperties properties, OAuthTokenResponse tokens)
    {
        var idToken = tokens.Response?.RootElement.TryGetProperty("id_token", out var t) == true ? t.GetString() : null;
        if (string.IsNullOrEmpty(idToken))
            throw new OidcProviderException("The provider answered without an id_token; check that the 'openid' scope is requested and allowed for this client.");
        properties.Items.Remove(NonceKey, out var nonce);
        var (jwt, problem) = await provider.ValidateAsync(idToken, Options.ClientId, nonce ?? "", Context.RequestAborted);
        if (jwt is null) throw new OidcProviderException("The provider's id_token was refused: " + problem);

        var payload = OidcProvider.Payload(jwt);
        var raw = OidcProvider.StringClaim(payload, provider.Config.UserClaim) ?? OidcProvider.StringClaim(payload, "email") ?? jwt.Subject;
        var name = RoleMapping.UserNameFrom(raw ?? "");
        if (name.Length == 0) throw new OidcProviderException($"The id_token carries no usable user name (claim '{provider.Config.UserClaim}', email or sub).");
        var mapped = roles.RolesFrom(payload);
        PortalUser user;
        // The callback runs before the actor middleware: the account record is the signing-in user's own change.
        using (ActorContext.Use(new Actor(name, mapped, Context.Connection.RemoteIpAddress?.ToString())))
            user = await users.RecordExternalSignInAsync(name, OidcProvider.StringClaim(payload, "name"), OidcProvider.StringClaim(payload, "email"), mapped, Context.RequestAborted);

        properties.StoreTokens([new AuthenticationToken { Name = "id_token", Value = idToken }]);
        var principal = PortalPrincipal.For(user, SchemeName, identity.AuthenticationType ?? SchemeName);
        return new AuthenticationTicket(principal, properties, Scheme.Name);
    }


    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Shorten(string s) => s.Length <= 300 ? s : s[..300] + "…";
}
