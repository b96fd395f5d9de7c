namespace Portal.Web.Auth;

/// <summary>
/// Browsers send the portal's cookie on a websocket opened by a page of another origin of the same site (a user's
/// Jupyter on the IDE port, say) and no CORS rule applies to websockets: a circuit or hub opened that way would act as
/// whoever browses that page. Websockets to the portal are accepted only from the portal's own pages.
/// </summary>
public sealed class CrossOriginWebSockets(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext http)
    {
        // The upgrade header, not IsWebSocketRequest: this runs before the websocket middleware sets that up.
        var upgrade = http.Request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase);
        if (!upgrade || http.Request.Path.StartsWithSegments("/ide") || FromOwnPages(http.Request)) return next(http);
        http.Response.StatusCode = StatusCodes.Status403Forbidden;
        return http.Response.WriteAsync("Websockets to the portal are accepted from the portal's own pages only.", http.RequestAborted);
    }

    /// <summary>Whether the request's Origin, if any, is the host it was sent to (non-browser clients send none).</summary>
    public static bool FromOwnPages(HttpRequest request) =>
        request.Headers.Origin.ToString() is not { Length: > 0 } origin
        || Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            // The host only: behind an ingress that ends TLS the portal may see http while the page was https.
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
}
