namespace Portal.Web.Ide;

/// <summary>
/// The IDE origin serves sessions and their tickets, nothing else: the portal's pages, API and hubs answer 404 there, so
/// a user's Jupyter page on that origin cannot read them with the portal's cookie (which browsers also send to another
/// port of the same host).
/// </summary>
public sealed class IdeOriginGate(RequestDelegate next, IdeOrigin origin)
{
    public Task InvokeAsync(HttpContext http)
    {
        if (!origin.Serves(http) || IsSessionPath(http.Request.Path) || http.Request.Path == IdeProxy.TicketPath) return next(http);
        http.Response.StatusCode = StatusCodes.Status404NotFound;
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync("This address serves IDE sessions only; the portal itself is at its own address.", http.RequestAborted);
    }

    /// <summary>/ide/{user}/{session}/…: a session's own path.</summary>
    private static bool IsSessionPath(PathString path) =>
        path.StartsWithSegments("/ide", out var rest) && rest.Value is { } r && r.Split('/', StringSplitOptions.RemoveEmptyEntries).Length >= 2
            && r.Count(c => c == '/') >= 3;
}
