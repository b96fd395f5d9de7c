using System.Net;
using System.Text;
using Portal.Core.Entities;
using Portal.Core.Ide;
using Yarp.ReverseProxy.Forwarder;

namespace Portal.Web.Ide;

/// <summary>
/// The IDE's reverse proxy: <c>/ide/{user}/{session}/…</c> goes to the session's Jupyter (whose base URL is that
/// same path), HTTP and WebSockets (kernels), forwarded by YARP's direct forwarder to the destination resolved for
/// each request. Only the session's owner (and admins) get through; anyone else gets a 404, as if the session did
/// not exist. What crosses is decided by <see cref="JupyterTransformer"/>.
/// </summary>
public static class IdeProxy
{
    public const string HttpClientName = "ide-proxy";

    /// <summary>
    /// YARP's default of 100 s would cut a kernel's websocket that sits idle while the user reads; the portal's own
    /// forwarding had no idle limit, and idle sessions are ended by the culler instead.
    /// </summary>
    public static readonly ForwarderRequestConfig RequestConfig = new() { ActivityTimeout = TimeSpan.FromHours(12) };

    public static void MapIdeProxy(this WebApplication app) =>
        app.Map("/ide/{user}/{session}/{**rest}", ProxyAsync).ExcludeFromDescription().RequireAuthorization(Auth.PortalPolicies.Work);

    /// <summary>The connections to Jupyter: no cookies, redirects or proxies of their own (what YARP recommends).</summary>
    public static HttpMessageInvoker CreateInvoker() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ActivityHeadersPropagator = null,
    });

    private static async Task ProxyAsync(
        string user, string session, HttpContext http, IdeRoutes routes, IdeService ide, IHttpForwarder forwarder,
        IdeForwarderClient client, Portal.Core.Security.AuditLog audit)
    {
        var ct = http.RequestAborted;
        if (user != Auth.PortalAuthentication.NameOf(http.User) && !Auth.PortalPolicies.HasRole(http.User, Portal.Core.Security.Roles.Admin))
        {
            await audit.RecordAsync("open IDE session", $"IDE session {user}/{session}", AuditOutcome.Denied, "not the session's owner", ct);
            await AnswerAsync(http, 404, $"There is no IDE session of '{user}' named '{session}' that you may open.");
            return;
        }
        if (await routes.ResolveAsync(user, session, ct) is not { } route)
        {
            await AnswerAsync(http, 404, $"There is no IDE session of '{user}' named '{session}'.");
            return;
        }
        var acts = http.WebSockets.IsWebSocketRequest || !(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method));
        if (acts && !FromThePortal(http.Request))
        {
            // A page of another site opening a kernel's websocket or posting to Jupyter with the user's cookie (CSRF): the
            // proxy adds Jupyter's token, so Jupyter's own cross-site checks would not stop it.
            await audit.RecordAsync("open IDE session", $"IDE session {user}/{session}", AuditOutcome.Denied, "request from another origin", ct);
            await AnswerAsync(http, 403, "This request came from a page of another site; only the portal's own pages may change an IDE session.");
            return;
        }
        if (route.Endpoint is not { } endpoint)
        {
            await AnswerAsync(http, 503, $"The session '{session}' is not running (yet); its page says why.");
            return;
        }
        var error = await forwarder.SendAsync(http, endpoint, client.Invoker, RequestConfig, new JupyterTransformer(route.Token));
        if (error is ForwarderError.Request or ForwarderError.RequestTimedOut or ForwarderError.UpgradeRequestDestination && !http.Response.HasStarted)
        {
            // The remembered address stopped answering: the session stopped or restarted elsewhere.
            routes.Invalidate(user, session);
            await AnswerAsync(http, 503, $"The session '{session}' is not answering; it may have stopped or be restarting.");
            return;
        }
        var found = route.Session;
        if (found.LastActivity is not { } last || DateTime.UtcNow - last > TimeSpan.FromSeconds(30)) await ide.TouchAsync(found, CancellationToken.None);
    }

    /// <summary>Whether the request's Origin, if any, is the portal itself (non-browser clients send none).</summary>
    public static bool FromThePortal(HttpRequest request) =>
        request.Headers.Origin.ToString() is not { Length: > 0 } origin
        || Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            // The host only: behind an ingress that ends TLS the portal may see http while the page was https.
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);

    private static async Task AnswerAsync(HttpContext http, int status, string message)
    {
        if (http.Response.HasStarted) return;
        http.Response.StatusCode = status;
        if (status == 503) http.Response.Headers.RetryAfter = "2";
        http.Response.ContentType = "text/plain; charset=utf-8";
        await http.Response.WriteAsync(message, Encoding.UTF8, http.RequestAborted);
    }
}
