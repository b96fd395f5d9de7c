using System.Net.WebSockets;
using Portal.Core.Entities;
using Portal.Core.Ide;

namespace Portal.Web.Ide;

/// <summary>
/// The IDE's reverse proxy: <c>/ide/{user}/{session}/…</c> goes to the session's Jupyter (whose base URL is that
/// same path), HTTP and WebSockets (kernels), with Jupyter's token added here so the browser never holds it.
/// Only the session's owner (and admins) get through; anyone else gets a 404, as if the session did not exist.
/// </summary>
public static class IdeProxy
{
    public const string HttpClientName = "ide-proxy";
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer", "Host", "Authorization",
    };

    public static void MapIdeProxy(this WebApplication app) =>
        app.Map("/ide/{user}/{session}/{**rest}", ProxyAsync).ExcludeFromDescription().RequireAuthorization(Auth.PortalPolicies.Work);

    private static async Task ProxyAsync(string user, string session, HttpContext http, IdeRoutes routes, IdeService ide, IHttpClientFactory clients, Portal.Core.Security.AuditLog audit)
    {
        var ct = http.RequestAborted;
        if (user != Auth.PortalAuthentication.NameOf(http.User) && !Auth.PortalPolicies.HasRole(http.User, Portal.Core.Security.Roles.Admin))
        {
            await audit.RecordAsync("open IDE session", $"IDE session {user}/{session}", AuditOutcome.Denied, "not the session's owner", ct);
            http.Response.StatusCode = 404;
            await http.Response.WriteAsync($"There is no IDE session of '{user}' named '{session}' that you may open.", ct);
            return;
        }
        if (await routes.ResolveAsync(user, session, ct) is not { } route)
        {
            http.Response.StatusCode = 404;
            await http.Response.WriteAsync($"There is no IDE session of '{user}' named '{session}'.", ct);
            return;
        }
        var found = route.Session;
        if (route.Endpoint is not { } endpoint)
        {
            http.Response.StatusCode = 503;
            http.Response.Headers.RetryAfter = "2";
            await http.Response.WriteAsync($"The session '{session}' is not running (yet); its page says why.", ct);
            return;
        }
        var token = route.Token;
        var target = $"{endpoint}{http.Request.Path}{http.Request.QueryString}";
        try
        {
            if (http.WebSockets.IsWebSocketRequest)
                await RelayWebSocketAsync(http, target.Replace("http://", "ws://", StringComparison.Ordinal), token, ct);
            else
                await ForwardAsync(http, clients.CreateClient(HttpClientName), target, token, ct);
        }
        catch (HttpRequestException) when (!http.Response.HasStarted)
        {
            // The remembered address stopped answering: the session stopped or restarted elsewhere.
            routes.Invalidate(user, session);
            http.Response.StatusCode = 503;
            http.Response.Headers.RetryAfter = "2";
            await http.Response.WriteAsync($"The session '{session}' is not answering; it may have stopped or be restarting.", ct);
            return;
        }
        if (found.LastActivity is not { } last || DateTime.UtcNow - last > TimeSpan.FromSeconds(30)) await ide.TouchAsync(found, CancellationToken.None);
    }

    private static async Task ForwardAsync(HttpContext http, HttpClient client, string target, string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(new HttpMethod(http.Request.Method), target);
        if (http.Request.ContentLength > 0 || http.Request.Headers.TransferEncoding.Count > 0)
            request.Content = new StreamContent(http.Request.Body);
        foreach (var (key, values) in http.Request.Headers)
        {
            if (HopHeaders.Contains(key)) continue;
            if (!request.Headers.TryAddWithoutValidation(key, (IEnumerable<string>)values)) request.Content?.Headers.TryAddWithoutValidation(key, (IEnumerable<string>)values);
        }
        request.Headers.TryAddWithoutValidation("Authorization", $"token {token}");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        http.Response.StatusCode = (int)response.StatusCode;
        var html = response.Content.Headers.ContentType?.MediaType == "text/html";
        foreach (var (key, values) in response.Headers.Concat(response.Content.Headers))
            if (!HopHeaders.Contains(key) && !(html && key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))) http.Response.Headers[key] = values.ToArray();
        if (html)
        {
            // Jupyter writes the token it was called with into its pages; the browser must not learn it (the proxy adds it).
            var page = await response.Content.ReadAsStringAsync(ct);
            await http.Response.WriteAsync(page.Replace(token, "", StringComparison.Ordinal), ct);
            return;
        }
        await response.Content.CopyToAsync(http.Response.Body, ct);
    }

    private static async Task RelayWebSocketAsync(HttpContext http, string target, string token, CancellationToken ct)
    {
        using var upstream = new ClientWebSocket();
        upstream.Options.SetRequestHeader("Authorization", $"token {token}");
        try { await upstream.ConnectAsync(new Uri(target), ct); }
        catch (WebSocketException e)
        {
            http.Response.StatusCode = 502;
            await http.Response.WriteAsync($"Jupyter refused the connection: {e.Message}", ct);
            return;
        }
        using var downstream = await http.WebSockets.AcceptWebSocketAsync(upstream.SubProtocol);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var up = PumpAsync(downstream, upstream, done.Token);
        var down = PumpAsync(upstream, downstream, done.Token);
        await Task.WhenAny(up, down);
        await done.CancelAsync();
        await Task.WhenAll(up, down);
    }

    /// <summary>Copies messages one way until either side closes; a close is passed on.</summary>
    private static async Task PumpAsync(WebSocket from, WebSocket to, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var result = await from.ReceiveAsync(buffer, ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    // Pass the close on, and answer it, so both ends finish their close handshake.
                    var status = result.CloseStatus ?? WebSocketCloseStatus.NormalClosure;
                    if (to.State is WebSocketState.Open or WebSocketState.CloseReceived) await to.CloseOutputAsync(status, result.CloseStatusDescription, CancellationToken.None);
                    if (from.State == WebSocketState.CloseReceived) await from.CloseOutputAsync(status, result.CloseStatusDescription, CancellationToken.None);
                    return;
                }
                await to.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException) { }
    }
}
