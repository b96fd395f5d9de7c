using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Portal.Core.Security;

namespace Portal.Web.Auth;

/// <summary>
/// API callers: <c>Authorization: Bearer</c> with a personal access token (<c>pat_…</c>). JWTs of the configured provider go to the JwtBearer handler instead (<see cref="ProviderAuthentication"/>).
/// Browsers' SignalR websockets cannot send headers, so for <c>/hubs/</c> the token may come as <c>access_token</c>.
/// Task tokens are not accepted here: they are valid only on the task endpoints that check them.
/// </summary>
public sealed class BearerHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    AccessTokenService tokens) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
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
        if (AccessTokenService.LooksLikeToken(token))
        {
            var (user, problem) = await tokens.ValidateAsync(token, Context.RequestAborted);
            return user is null
                ? Fail(problem!)
                : AuthenticateResult.Success(new AuthenticationTicket(PortalPrincipal.For(user, "pat", SchemeName), SchemeName));
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

    /// <summary>Whether this handler, rather than the provider's JwtBearer handler, is the one for the token.</summary>
    public static bool IsPortalToken(string token) => AccessTokenService.LooksLikeToken(token);
}
