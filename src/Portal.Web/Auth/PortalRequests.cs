namespace Portal.Web.Auth;

/// <summary>Which requests are machine calls (answered with status codes) rather than page loads (answered with redirects).</summary>
public static class PortalRequests
{
    public static bool IsApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/model") || request.Path.StartsWithSegments("/feedback")
        || request.Path.StartsWithSegments("/hubs") || request.Path.StartsWithSegments("/_blazor")
        || request.Headers.Authorization.Count > 0;
}
