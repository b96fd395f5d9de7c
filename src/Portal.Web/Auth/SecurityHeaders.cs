namespace Portal.Web.Auth;

/// <summary>
/// Headers a security review expects on every response. The IDE proxy's pages are Jupyter's own (it sets its
/// own policy and needs inline scripts), so the content policy is left to it there; portal pages may frame the IDE origin.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next, Portal.Core.Configuration.PortalConfig config, Ide.IdeOrigin ideOrigin)
{
    // Blazor and MudBlazor set inline styles; scripts come only from the portal itself. Forms post to the portal, and
    // the sign-out form's answer leads on to the OpenID provider (browsers hold redirects after a post to form-action).
    private readonly string _contentPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self' ws: wss:; frame-src 'self' {0}; frame-ancestors 'self'; base-uri 'self'; " +
        $"form-action 'self'{ProviderOrigin(config)}; object-src 'none'";

    private static string ProviderOrigin(Portal.Core.Configuration.PortalConfig config) =>
        config.Auth.Mode == "oidc" && Uri.TryCreate(config.Auth.Oidc?.Issuer, UriKind.Absolute, out var issuer)
            ? " " + issuer.GetLeftPart(UriPartial.Authority)
            : "";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var h = context.Response.Headers;
            h.XContentTypeOptions = "nosniff";
            h["Referrer-Policy"] = "same-origin";
            h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            h["Cross-Origin-Opener-Policy"] = "same-origin";
            if (!context.Request.Path.StartsWithSegments("/ide"))
            {
                if (!h.ContainsKey("X-Frame-Options")) h.XFrameOptions = "SAMEORIGIN";
                // An endpoint that set a stricter policy of its own (the sandboxed notebook view) keeps it.
                if (!context.Request.Path.StartsWithSegments("/swagger") && !h.ContainsKey("Content-Security-Policy")) h.ContentSecurityPolicy = _contentPolicy.Replace("{0}", ideOrigin.FrameSource(context.Request), StringComparison.Ordinal);
            }
            if (context.Request.IsHttps) h.StrictTransportSecurity = "max-age=31536000";
            return Task.CompletedTask;
        });
        return next(context);
    }
}
