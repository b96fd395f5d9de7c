using Microsoft.AspNetCore.Authentication;

namespace Portal.Web.Auth;

/// <summary>Starting a provider sign-in (signing out is the form on <c>/account/signout</c>).</summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/signin/oidc", (string? returnUrl, HttpContext http) =>
            http.RequestServices.GetService<OidcProvider>() is null
                ? Results.Problem(statusCode: 404, title: "No OpenID provider is configured.", detail: "Set auth.mode: oidc and auth.oidc in portal.yaml.")
                : Results.Challenge(new AuthenticationProperties { RedirectUri = SignInPage.SafeReturnUrl(returnUrl) }, [OidcHandler.SchemeName]))
            .AllowAnonymous().ExcludeFromDescription();

        return app;
    }
}
