using Yarp.ReverseProxy.Forwarder;

namespace Portal.Web.Ide;

/// <summary>
/// What crosses the IDE proxy besides YARP's defaults. Up: the portal's own credentials never reach Jupyter (the
/// Authorization header and the portal's cookies: Jupyter runs the session owner's code, and an admin may open a
/// user's session), and Jupyter's token is added here so the browser never holds it. Down: Jupyter writes the token
/// it was called with into its pages, so it is taken out of HTML before the browser sees it, and cookies named like
/// the portal's are dropped from its answers. The browser's Origin is checked by the proxy, then dropped. Jupyter's frame
/// policy is replaced by one that lets the portal's page (another origin) frame the session.
/// </summary>
public sealed class JupyterTransformer(string token, string? frameAncestor = null) : HttpTransformer
{
    /// <summary>The portal's cookies (sign-in, antiforgery, sign-in errors) all start with this.</summary>
    public const string PortalCookiePrefix = "portal.";

    public override async ValueTask TransformRequestAsync(
        HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.Headers.Remove("Cookie");
        var kept = httpContext.Request.Cookies.Where(c => !c.Key.StartsWith(PortalCookiePrefix, StringComparison.Ordinal))
            .Select(c => $"{c.Key}={c.Value}").ToList();
        if (kept.Count > 0) proxyRequest.Headers.TryAddWithoutValidation("Cookie", string.Join("; ", kept));
        proxyRequest.Headers.Remove("Authorization");
        // The portal checked the browser's Origin (IdeProxy); Jupyter would compare it with its own host, not the portal's.
        proxyRequest.Headers.Remove("Origin");
        proxyRequest.Headers.TryAddWithoutValidation("Authorization", $"token {token}");
    }

    public override async ValueTask<bool> TransformResponseAsync(
        HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        // A user's server must not set the portal's own cookies (a planted sign-in or antiforgery cookie).
        var cookies = httpContext.Response.Headers.SetCookie;
        if (cookies.Any(c => c?.TrimStart().StartsWith(PortalCookiePrefix, StringComparison.OrdinalIgnoreCase) == true))
            httpContext.Response.Headers.SetCookie = new([.. cookies.Where(c => c?.TrimStart().StartsWith(PortalCookiePrefix, StringComparison.OrdinalIgnoreCase) != true)]);
        // Jupyter allows framing by its own origin only; the portal's page around the session lives on the portal's.
        var headers = httpContext.Response.Headers;
        headers.Remove("X-Frame-Options");
        headers.ContentSecurityPolicy = FramedBy(headers.ContentSecurityPolicy.ToString(), frameAncestor);
        if (proxyResponse?.Content.Headers.ContentType?.MediaType != "text/html") return true;
        var page = await proxyResponse.Content.ReadAsStringAsync(cancellationToken);
        httpContext.Response.Headers.ContentLength = null;
        await httpContext.Response.WriteAsync(page.Replace(token, "", StringComparison.Ordinal), cancellationToken);
        return false;
    }

    /// <summary>
    /// Jupyter's own policy with its frame-ancestors replaced: the rest stays (its file views are sandboxed, so an HTML
    /// file of the user's does not run scripts on the IDE origin).
    /// </summary>
    public static string FramedBy(string policy, string? portalOrigin)
    {
        var directives = policy.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(d => !d.StartsWith("frame-ancestors", StringComparison.OrdinalIgnoreCase));
        return string.Join("; ", directives.Prepend($"frame-ancestors 'self'{(portalOrigin is null ? "" : " " + portalOrigin)}"));
    }
}
