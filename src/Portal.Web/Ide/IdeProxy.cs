using System.Net;
using System.Text;
using Portal.Core.Entities;
using Portal.Core.Ide;
using Yarp.ReverseProxy.Forwarder;

namespace Portal.Web.Ide;

/// <summary>
/// The IDE's reverse proxy, on the IDE origin only (<see cref="IdeOrigin"/>): <c>/ide/{user}/{session}/…</c> goes to the
/// session's Jupyter (whose base URL is that same path), HTTP and WebSockets (kernels), forwarded by YARP's direct
/// forwarder to the destination resolved for each request. Browsers enter through <c>/ide-open</c> on the portal, which
/// hands them a one-time ticket (<see cref="IdeTickets"/>); scripts use a bearer token. Only the session's owner (and
/// admins) get through; anyone else gets a 404, as if the session did not exist. What crosses is decided by
/// <see cref="JupyterTransformer"/>.
/// </summary>
public static class IdeProxy
{
    public const string HttpClientName = "ide-proxy";

    /// <summary>
    /// YARP's default of 100 s would cut a kernel's websocket that sits idle while the user reads; the portal's own
    /// forwarding had no idle limit, and idle sessions are ended by the culler instead.
    /// </summary>
    public static readonly ForwarderRequestConfig RequestConfig = new() { ActivityTimeout = TimeSpan.FromHours(12) };

    public const string OpenPath = "/ide-open";
    public const string TicketPath = "/ide-ticket";

    public static void MapIdeProxy(this WebApplication app)
    {
        app.MapGet(OpenPath + "/{user}/{session}", OpenAsync).ExcludeFromDescription().RequireAuthorization(Auth.PortalPolicies.Work);
        app.MapGet(TicketPath, Redeem).ExcludeFromDescription().AllowAnonymous();
        // Authorization is the proxy's own: on the IDE origin only its ticket cookie or a bearer token counts.
        app.Map("/ide/{user}/{session}/{**rest}", ProxyAsync).ExcludeFromDescription().AllowAnonymous();
    }

    /// <summary>The way in from the portal: a signed-in owner (or admin) gets a one-time ticket for the IDE origin.</summary>
    private static async Task<IResult> OpenAsync(
        string user, string session, string? path, HttpContext http, IdeService ide, IdeOrigin origin, IdeTickets tickets, Portal.Core.Security.AuditLog audit)
    {
        var ct = http.RequestAborted;
        var me = Auth.PortalAuthentication.NameOf(http.User);
        if (user != me && !Auth.PortalPolicies.HasRole(http.User, Portal.Core.Security.Roles.Admin))
        {
            await audit.RecordAsync("open IDE session", $"IDE session {user}/{session}", AuditOutcome.Denied, "not the session's owner", ct);
            return Results.NotFound($"There is no IDE session of '{user}' named '{session}' that you may open.");
        }
        try { await ide.GetAsync(user, session, ct); }
        catch (Portal.Core.Errors.NotFoundException) { return Results.NotFound($"There is no IDE session of '{user}' named '{session}'."); }
        if (user != me) await audit.RecordAsync("open IDE session", $"IDE session {user}/{session}", AuditOutcome.Succeeded, "as admin", ct);
        var target = SafeRelative(path);
        var ticket = tickets.Issue(new IdeTickets.Pass(user, session, me, Auth.PortalPrincipal.Stamp(http.User),
            $"{http.Request.Scheme}://{http.Request.Host}", target));
        return Results.Redirect($"{origin.For(http.Request, user)}{TicketPath}?t={ticket}");
    }

    /// <summary>On the IDE origin: a ticket becomes the session's cookie (HttpOnly, that session's path only).</summary>
    private static IResult Redeem(string? t, HttpContext http, IdeOrigin origin, IdeTickets tickets)
    {
        if (!origin.Serves(http) || tickets.Redeem(t) is not { } pass || !origin.ServesUser(http, pass.User))
            return Results.Text("This link to an IDE session has expired or was used already; open the session again from the portal.",
                "text/plain; charset=utf-8", statusCode: StatusCodes.Status403Forbidden);
        var basePath = IdeService.BasePath(pass.User, pass.Session);
        http.Response.Cookies.Append(IdeTickets.CookieName, tickets.Protect(pass), new CookieOptions
        {
            Path = basePath, HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = http.Request.IsHttps, MaxAge = IdeTickets.CookieLifetime,
        });
        return Results.Redirect(basePath + pass.Path);
    }

    /// <summary>A path inside the session (tree, notebooks/x.ipynb); anything that could leave it becomes the tree.</summary>
    private static string SafeRelative(string? path) =>
        path is { Length: > 0 } p && !p.StartsWith('/') && !p.Contains("//", StringComparison.Ordinal) && !p.Contains('\\')
            && !p.Contains(':') && !p.Split('/').Contains("..") ? p : "tree";

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
        IdeForwarderClient client, IdeOrigin origin, IdeTickets tickets, Portal.Core.Security.UserService users, Portal.Core.Security.AuditLog audit)
    {
        var ct = http.RequestAborted;
        if (!origin.ServesUser(http, user))
        {
            // On the portal's origin a user's Jupyter would act with the portal's rights of whoever opened it.
            await AnswerAsync(http, 404, $"IDE sessions are served at {origin.For(http.Request, user)}; open them from the portal's IDE page.");
            return;
        }
        var (allowed, frameAncestor) = await AdmitAsync(user, session, http, origin, tickets, users);
        if (!allowed)
        {
            await audit.RecordAsync("open IDE session", $"IDE session {user}/{session}", AuditOutcome.Denied, "no valid ticket or token", ct);
            await AnswerAsync(http, 404, $"There is no IDE session of '{user}' named '{session}' that you may open; open it from the portal's IDE page.");
            return;
        }
        if (await routes.ResolveAsync(user, session, ct) is not { } route)
        {
            await AnswerAsync(http, 404, $"There is no IDE session of '{user}' named '{session}'.");
            return;
        }
        var acts = http.WebSockets.IsWebSocketRequest || !(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method));
        if (acts && !Auth.CrossOriginWebSockets.FromOwnPages(http.Request))
        {
            // A page of another site opening a kernel's websocket or posting to Jupyter with the session's cookie (CSRF): the
            // proxy adds Jupyter's token, so Jupyter's own cross-site checks would not stop it.
            await audit.RecordAsync("open IDE session", $"IDE session {user}/{session}", AuditOutcome.Denied, "request from another origin", ct);
            await AnswerAsync(http, 403, "This request came from a page of another site; only the session's own pages may change it.");
            return;
        }
        if (route.Endpoint is not { } endpoint)
        {
            await AnswerAsync(http, 503, $"The session '{session}' is not running (yet); its page says why.");
            return;
        }
        var error = await forwarder.SendAsync(http, endpoint, client.Invoker, RequestConfig, new JupyterTransformer(route.Token, frameAncestor));
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

    /// <summary>
    /// Who may pass: a bearer token (scripts; browsers never add one by themselves) of the owner or an admin, or the
    /// session's own cookie from a ticket whose opener still holds the same account state. The portal's cookie, which
    /// browsers also send to a second port of the same host, never counts here.
    /// </summary>
    private static async Task<(bool Allowed, string? FrameAncestor)> AdmitAsync(
        string user, string session, HttpContext http, IdeOrigin origin, IdeTickets tickets, Portal.Core.Security.UserService users)
    {
        if (Auth.BearerHandler.TokenOf(http.Request) is not null)
        {
            var principal = http.User;
            var ok = Auth.PortalPolicies.HasRole(principal, Portal.Core.Security.Roles.DataScientist)
                && (Auth.PortalAuthentication.NameOf(principal) == user || Auth.PortalPolicies.HasRole(principal, Portal.Core.Security.Roles.Admin));
            return (ok, null);
        }
        if (tickets.Unprotect(http.Request.Cookies[IdeTickets.CookieName]) is not { } pass || pass.User != user || pass.Session != session)
            return (false, null);
        if (await users.CurrentSessionAsync(pass.Actor, pass.Stamp, http.RequestAborted) is not { } actor) return (false, null);
        var admitted = Portal.Core.Security.Roles.Satisfies(actor.Roles, Portal.Core.Security.Roles.DataScientist)
            && (actor.Name == user || Portal.Core.Security.Roles.Satisfies(actor.Roles, Portal.Core.Security.Roles.Admin));
        return (admitted, pass.PortalOrigin ?? origin.PortalOriginFor(http.Request));
    }

    private static async Task AnswerAsync(HttpContext http, int status, string message)
    {
        if (http.Response.HasStarted) return;
        http.Response.StatusCode = status;
        if (status == 503) http.Response.Headers.RetryAfter = "2";
        http.Response.ContentType = "text/plain; charset=utf-8";
        await http.Response.WriteAsync(message, Encoding.UTF8, http.RequestAborted);
    }
}
