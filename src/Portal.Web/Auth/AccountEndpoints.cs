using Microsoft.AspNetCore.Authentication;
using Portal.Core.Configuration;

namespace Portal.Web.Auth;

/// <summary>Starting a provider sign-in (signing out is the form on <c>/account/signout</c>).</summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/signin/oidc", async (string? returnUrl, HttpContext http, PortalConfig config) =>
            {
                if (config.Auth.Mode != "oidc")
                    return Results.Problem(statusCode: 404, title: "No OpenID provider is configured.", detail: "Set auth.mode: oidc and auth.oidc in portal.yaml.");
                if (await ProviderAuthentication.ProblemAsync(http) is { } problem)
                {
                    SignInPage.RedirectWithError(http.Response, problem);
                    return Results.Empty;
                }
                return Results.Challenge(new AuthenticationProperties { RedirectUri = SignInPage.SafeReturnUrl(returnUrl) }, [ProviderAuthentication.OidcScheme]);
            })
            .AllowAnonymous().ExcludeFromDescription();

        return app;
    }
}
