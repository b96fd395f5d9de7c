using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Portal.Core.Security;

namespace Portal.Web.Auth;

/// <summary>
/// API callers: <c>Authorization: Bearer</c> with a personal access token (<c>pat_…</c>), or a JWT from the
/// configured provider (validated like an id_token, audience <c>auth.oidc.audience</c>, roles mapped the same way).
/// Browsers' SignalR websockets cannot send headers, so for <c>/hubs/</c> the token may come as <c>access_token</c>.
/// Task tokens are not accepted here: they are valid only on the task endpoints that check them.
/// </summary>
public sealed class BearerHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    AccessTokenService tokens, InternalTokens internalTokens, RoleMapping roles, IServiceProvider services) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "bearer";

    /// <summary>The token this request carries, or null.</summary>
    public static string? TokenOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header["Bearer ".Length..].Trim();
        if (request.Path.StartsWithSegments("/hubs") && request.Query["access_token"].ToString() is { Length: > 0 } q) return q;
        return null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = TokenOf(Request);
        if (string.IsNullOrEmpty(token)) return AuthenticateResult.NoResult();
        if (token.StartsWith(InternalTokens.Prefix, StringComparison.Ordinal))
        {
            return internalTokens.Validate(token) is { } principal
                ? AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName))
                : Fail("The portal's internal token has expired or was not made by this portal.");
        }
        if (AccessTokenService.LooksLikeToken(token))
        {
            var (user, problem) = await tokens.ValidateAsync(token, Context.RequestAborted);
            return user is null
                ? Fail(problem!)
                : AuthenticateResult.Success(new AuthenticationTicket(PortalPrincipal.For(user, "pat", SchemeName), SchemeName));
        }
        if (token.Count(c => c == '.') == 2 && services.GetService<OidcProvider>() is { } provider)
        {
            try
            {
                var (jwt, problem) = await provider.ValidateAsync(token, provider.ApiAudience, null, Context.RequestAborted);
                if (jwt is null) return Fail(problem!);
                var payload = OidcProvider.Payload(jwt);
                // Service accounts (client credentials) have no user name: they act as their client.
                var client = OidcProvider.StringClaim(payload, "client_id") ?? OidcProvider.StringClaim(payload, "azp");
                var raw = OidcProvider.StringClaim(payload, provider.Config.UserClaim) ?? OidcProvider.StringClaim(payload, "email")
                    ?? (client is not null ? $"client-{client}" : jwt.Subject);
                var principal = PortalPrincipal.For(RoleMapping.UserNameFrom(raw ?? ""), OidcProvider.StringClaim(payload, "name"), roles.RolesFrom(payload), "jwt", SchemeName);
                return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
            }
            catch (OidcProviderException e) { return Fail(e.Message); }
        }
        return Fail("The bearer token is neither a personal access token (pat_…) nor a token of the configured OpenID provider.");
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }

    private AuthenticateResult Fail(string problem)
    {
        Context.Items[FailureKey] = problem;
        return AuthenticateResult.Fail(problem);
    }

    /// <summary>Why the request's token was refused, for the 401 body and the audit row.</summary>
    public const string FailureKey = "portal.bearer_failure";

}
