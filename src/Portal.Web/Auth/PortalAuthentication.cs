using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Portal.Core.Configuration;
using Portal.Core.Security;

namespace Portal.Web.Auth;

/// <summary>
/// Sign-in and access for the portal: a cookie for browsers (local password or the OpenID provider), bearer tokens
/// for the API, one policy per role, the audit actor on every request and circuit, and the security headers.
/// </summary>
public static class PortalAuthentication
{
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    private const string SelectorScheme = "portal";

    public static IServiceCollection AddPortalAuth(this IServiceCollection services, PortalConfig config)
    {
        services.AddSingleton<RoleMapping>();
        services.AddSingleton<HubSession>();
        var oidc = config.Auth.Mode == "oidc" ? config.Auth.Oidc : null;

        var auth = services.AddAuthentication(o =>
            {
                o.DefaultScheme = SelectorScheme;
                o.DefaultChallengeScheme = SelectorScheme;
            })
            .AddPolicyScheme(SelectorScheme, "Cookie or bearer", o => o.ForwardDefaultSelector = c => BearerHandler.TokenOf(c.Request) switch
            {
                null => CookieScheme,
                { } token when oidc is not null && !BearerHandler.IsPortalToken(token) => ProviderAuthentication.JwtScheme,
                _ => BearerHandler.SchemeName,
            })
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = "portal.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(config.Auth.SessionHours);
                o.SlidingExpiration = true;
                o.LoginPath = SignInPage.Path;
                o.AccessDeniedPath = "/access-denied";
                o.Events.OnRedirectToLogin = c => Answer(c, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = c => Answer(c, StatusCodes.Status403Forbidden);
                o.Events.OnValidatePrincipal = CheckSessionAsync;
            })
            .AddScheme<AuthenticationSchemeOptions, BearerHandler>(BearerHandler.SchemeName, null);
        if (oidc is not null) auth.AddProvider(oidc);

        services.AddAuthorizationBuilder().AddPortalPolicies();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuditingAuthorizationResultHandler>();
        services.AddCascadingAuthenticationState();
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, SessionRevalidation>();
        services.AddScoped<CircuitClient>();
        services.AddScoped<PageUser>();
        services.AddScoped<PageAccess>();
        services.AddScoped<CircuitHandler, CircuitActorHandler>();
        services.AddAntiforgery(o => o.Cookie.Name = "portal.antiforgery");
        return services;
    }

    public static WebApplication UsePortalAuth(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseMiddleware<CookieApiAntiforgery>();
        app.UseMiddleware<PasswordChangeGate>();
        app.UseAuthorization();
        app.UseMiddleware<ActorMiddleware>();
        return app;
    }

    /// <summary>What a 401 without any credentials says: where a token comes from and how to send it.</summary>
    public const string NoCredentials =
        "Send 'Authorization: Bearer <token>'. Create a personal access token on the portal's Tokens page (/account/tokens), " +
        "or on the portal's host run 'Portal.Web issue-token USER'.";

    private static Task Answer(RedirectContext<CookieAuthenticationOptions> c, int status)
    {
        if (PortalRequests.IsApi(c.Request))
        {
            c.Response.StatusCode = status;
            // A caller with no credentials at all is told how to get one (a refused token is answered with why, elsewhere).
            return status == StatusCodes.Status401Unauthorized
                ? c.Response.WriteAsJsonAsync(new { title = "Sign-in required.", detail = NoCredentials, status })
                : Task.CompletedTask;
        }
        c.Response.Redirect(c.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A cookie outlives changes made to its account: on every request it must still match the account's security
    /// stamp (cached for <see cref="UserService.SessionCheckCache"/>), or the session is over: after a sign-out, a
    /// password or role change, or when the account is disabled or removed.
    /// </summary>
    private static async Task CheckSessionAsync(CookieValidatePrincipalContext c)
    {
        var users = c.HttpContext.RequestServices.GetRequiredService<UserService>();
        var current = c.Principal?.Identity?.Name is { } name
            ? await users.CurrentSessionAsync(name, PortalPrincipal.Stamp(c.Principal), c.HttpContext.RequestAborted)
            : null;
        if (current is not null) return;
        c.RejectPrincipal();
        await c.HttpContext.SignOutAsync(CookieScheme);
    }

    /// <summary>The user name of a principal, or "anonymous".</summary>
    public static string NameOf(ClaimsPrincipal user) => user.Identity?.Name ?? AuditLog.Anonymous;
}
