using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Portal.Core.Configuration;
using Portal.Core.Entities;
using Portal.Core.Security;

namespace Portal.Web.Auth;

/// <summary>
/// The configured OpenID provider, through the framework's handlers: browsers sign in with the OpenID Connect
/// handler (authorization code flow with PKCE, discovery, nonce, id_token validation, RP-initiated sign-out), API
/// callers send the provider's JWTs to the JwtBearer handler. Both fetch the provider's keys again when a token
/// names a key they lack, so a key rotation needs no restart. The portal only maps what the validated token says
/// into its own user: the user name, and roles through <c>auth.role_claim</c> and <c>auth.role_map</c>.
/// </summary>
/// <remarks>
/// Where the handlers' defaults differ from what the portal promised before, they are set here, each with a test:
/// clock skew one minute (not five), keys fetched again at most every <see cref="MinRefetch"/> (not five minutes),
/// no inbound claim mapping, a key refresh that completes before the token is judged, and the correlation and nonce
/// cookies SameSite=Lax so sign-in works on http loopback.
/// </remarks>
public static class ProviderAuthentication
{
    public const string OidcScheme = "oidc";
    public const string JwtScheme = "jwt";
    public const string CallbackPath = "/signin-oidc";
    public const string SignedOutCallbackPath = "/signout-callback-oidc";

    /// <summary>The least time between key fetches that tokens with unknown keys can cause (tokens are attacker-supplied).</summary>
    public static readonly TimeSpan MinRefetch = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    /// <summary>Where the OpenID Connect handler would send the browser to end the provider's session.</summary>
    public const string SignOutUrlKey = "portal.oidc_signout_url";

    public static string ApiAudience(OidcConfig oidc) => string.IsNullOrWhiteSpace(oidc.Audience) ? oidc.ClientId! : oidc.Audience;

    public static AuthenticationBuilder AddProvider(this AuthenticationBuilder auth, OidcConfig oidc)
    {
        // Since IdentityModel 8 a key refresh runs in the background and the token that asked for it is refused; this
        // switch makes the refresh finish first, so the first token signed with a rotated key is accepted.
        AppContext.SetSwitch("Switch.Microsoft.IdentityModel.UpdateConfigAsBlocking", true);
        var authority = oidc.Issuer!.TrimEnd('/');
        auth.AddOpenIdConnect(OidcScheme, oidc.DisplayName, o =>
        {
            o.Authority = authority;
            o.RequireHttpsMetadata = oidc.RequireHttps;
            o.ClientId = oidc.ClientId;
            o.ClientSecret = string.IsNullOrEmpty(oidc.ClientSecret) ? null : oidc.ClientSecret;
            o.ResponseType = OpenIdConnectResponseType.Code;
            o.UsePkce = true;
            o.CallbackPath = CallbackPath;
            o.SignedOutCallbackPath = SignedOutCallbackPath;
            o.SignedOutRedirectUri = PasswordChangeGate.SignOutPath;
            o.SignInScheme = PortalAuthentication.CookieScheme;
            o.SignOutScheme = PortalAuthentication.CookieScheme;
            // The id_token travels in the cookie for the id_token_hint of the sign-out.
            o.SaveTokens = true;
            o.GetClaimsFromUserInfoEndpoint = false;
            o.MapInboundClaims = false;
            o.Scope.Clear();
            foreach (var scope in oidc.Scopes.Count > 0 ? oidc.Scopes : ["openid", "profile", "email"]) o.Scope.Add(scope);
            o.RefreshInterval = MinRefetch;
            o.TokenValidationParameters.ClockSkew = ClockSkew;
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.NonceCookie.SameSite = SameSiteMode.Lax;
            o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Events.OnTokenValidated = SignInAsync;
            o.Events.OnRedirectToIdentityProviderForSignOut = c =>
            {
                // The sign-out page is a Blazor form: it navigates to the logout request the handler built (id_token_hint,
                // post_logout_redirect_uri, state) instead of the handler writing a redirect under the page.
                // The handler adds the protected state (where its callback returns to) only after this event: add it here.
                c.ProtocolMessage.State = c.Options.StateDataFormat.Protect(c.Properties);
                c.HttpContext.Items[SignOutUrlKey] = c.ProtocolMessage.CreateLogoutRequestUrl();
                c.HandleResponse();
                return Task.CompletedTask;
            };
            o.Events.OnRemoteFailure = c =>
            {
                var message = c.Failure is Core.Errors.PortalException
                    ? c.Failure.Message
                    : $"The sign-in with {oidc.DisplayName} could not be completed ({c.Failure?.Message}). Start it again.";
                SignInPage.RedirectWithError(c.Response, message);
                c.HandleResponse();
                return Task.CompletedTask;
            };
        });
        auth.AddJwtBearer(JwtScheme, o =>
        {
            o.Authority = authority;
            o.RequireHttpsMetadata = oidc.RequireHttps;
            o.Audience = ApiAudience(oidc);
            o.MapInboundClaims = false;
            o.RefreshInterval = MinRefetch;
            o.TokenValidationParameters.ClockSkew = ClockSkew;
            o.Events = new JwtBearerEvents
            {
                // Browsers' SignalR websockets cannot send headers: for /hubs the token may come as access_token.
                OnMessageReceived = c =>
                {
                    c.Token = BearerHandler.TokenOf(c.Request);
                    return Task.CompletedTask;
                },
                OnTokenValidated = c =>
                {
                    var claims = ProviderClaims.Of((JsonWebToken)c.SecurityToken);
                    var roles = c.HttpContext.RequestServices.GetRequiredService<RoleMapping>();
                    c.Principal = PortalPrincipal.For(claims.UserName(oidc, serviceAccounts: true), claims.DisplayName,
                        roles.RolesFrom(claims.Payload), "jwt", BearerHandler.SchemeName);
                    return Task.CompletedTask;
                },
                OnAuthenticationFailed = c =>
                {
                    c.HttpContext.Items[BearerHandler.FailureKey] = ProviderErrors.ExplainToken(c.Exception);
                    return Task.CompletedTask;
                },
                OnChallenge = c =>
                {
                    // The 401's body says why (AuditingAuthorizationResultHandler); the header stays the plain scheme.
                    c.HandleResponse();
                    c.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    c.Response.Headers.WWWAuthenticate = "Bearer";
                    return Task.CompletedTask;
                },
            };
        });
        return auth;
    }

    /// <summary>The id_token is valid: the portal records the user and signs them in as a portal principal.</summary>
    private static async Task SignInAsync(Microsoft.AspNetCore.Authentication.OpenIdConnect.TokenValidatedContext c)
    {
        var services = c.HttpContext.RequestServices;
        var oidc = services.GetRequiredService<PortalConfig>().Auth.Oidc!;
        var claims = c.SecurityToken is { } jwt ? ProviderClaims.Of(jwt.RawData) : ProviderClaims.Of(c.ProtocolMessage.IdToken);
        var name = claims.UserName(oidc);
        if (name.Length == 0)
        {
            c.Fail($"The id_token carries no usable user name (claim '{oidc.UserClaim}', email or sub).");
            return;
        }
        var roles = services.GetRequiredService<RoleMapping>().RolesFrom(claims.Payload);
        PortalUser user;
        // The callback runs before the actor middleware: the account record is the signing-in user's own change.
        using (ActorContext.Use(new Actor(name, roles, c.HttpContext.Connection.RemoteIpAddress?.ToString())))
            user = await services.GetRequiredService<UserService>()
                .RecordExternalSignInAsync(name, claims.DisplayName, claims.Email, roles, c.HttpContext.RequestAborted);
        c.Principal = PortalPrincipal.For(user, OidcScheme, OidcScheme);
    }

    /// <summary>
    /// Before a browser is sent to the provider: its discovery document must be reachable and name the configured
    /// issuer, or the sign-in page says what to check instead of the handler failing mid-redirect.
    /// </summary>
    public static async Task<string?> ProblemAsync(HttpContext http)
    {
        var options = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<OpenIdConnectOptions>>().Get(OidcScheme);
        var issuer = options.Authority!;
        OpenIdConnectConfiguration doc;
        try { doc = await options.ConfigurationManager!.GetConfigurationAsync(http.RequestAborted); }
        catch (Exception e) when (e is InvalidOperationException or IOException or HttpRequestException or ArgumentException)
        {
            return ProviderErrors.Unreachable(issuer, e);
        }
        if (!string.Equals(doc.Issuer?.TrimEnd('/'), issuer, StringComparison.Ordinal))
            return $"The provider's discovery document names the issuer '{doc.Issuer}', but portal.yaml says '{issuer}'. " +
                "Write the provider's exact issuer in auth.oidc.issuer.";
        if (string.IsNullOrEmpty(doc.AuthorizationEndpoint) || string.IsNullOrEmpty(doc.TokenEndpoint))
            return $"The provider {issuer} publishes no authorization or token endpoint; it cannot sign users in with the code flow.";
        return null;
    }
}
