using System.Text;
using Microsoft.AspNetCore.Http;
using Portal.Web.Ide;

namespace Portal.Tests.Unit.Ide;

/// <summary>
/// What crosses the IDE proxy (YARP forwards, these rules decide): the portal's credentials never reach Jupyter, which
/// runs the session owner's code; Jupyter's token is added by the portal and taken out of pages; only the portal's
/// own pages may open a kernel's websocket.
/// </summary>
public sealed class JupyterTransformerTests
{
    private const string Token = "jupyter-secret-token";

    [Fact]
    public async Task The_portal_credentials_stay_behind_and_jupyter_gets_its_token()
    {
        var http = new DefaultHttpContext();
        http.Request.Method = "GET";
        http.Request.Path = "/ide/dana/lab/api/contents";
        http.Request.Headers.Authorization = "Bearer pat_the-users-own-token";
        http.Request.Headers.Cookie = "portal.auth=the-session; portal.antiforgery=x; _xsrf=2|abc; username-127-0-0-1-8888=\"2|def\"";
        http.Request.Headers.Origin = "http://127.0.0.1:5000";
        http.Request.Headers.Accept = "application/json";
        using var proxied = new HttpRequestMessage();

        await new JupyterTransformer(Token).TransformRequestAsync(http, proxied, "http://127.0.0.1:8888", CancellationToken.None);

        Assert.Equal($"token {Token}", string.Join(",", proxied.Headers.GetValues("Authorization")));
        var cookies = string.Join("; ", proxied.Headers.GetValues("Cookie"));
        Assert.DoesNotContain("portal.", cookies);
        Assert.Contains("_xsrf=2|abc", cookies);
        Assert.Contains("username-127-0-0-1-8888", cookies);
        Assert.False(proxied.Headers.Contains("Origin"));
        Assert.Equal("application/json", string.Join(",", proxied.Headers.GetValues("Accept")));
    }

    [Fact]
    public async Task Without_cookies_of_its_own_jupyter_gets_none()
    {
        var http = new DefaultHttpContext();
        http.Request.Method = "GET";
        http.Request.Headers.Cookie = "portal.auth=the-session";
        using var proxied = new HttpRequestMessage();
        await new JupyterTransformer(Token).TransformRequestAsync(http, proxied, "http://127.0.0.1:8888", CancellationToken.None);
        Assert.False(proxied.Headers.Contains("Cookie"));
    }

    [Fact]
    public async Task The_token_jupyter_writes_into_its_pages_is_taken_out()
    {
        var http = new DefaultHttpContext();
        http.Response.Body = new MemoryStream();
        using var page = new HttpResponseMessage
        {
            Content = new StringContent($"<html><script>var token = '{Token}';</script></html>", Encoding.UTF8, "text/html"),
        };
        var copyBody = await new JupyterTransformer(Token).TransformResponseAsync(http, page, CancellationToken.None);
        Assert.False(copyBody);
        var sent = Encoding.UTF8.GetString(((MemoryStream)http.Response.Body).ToArray());
        Assert.Equal("<html><script>var token = '';</script></html>", sent);
        Assert.Null(http.Response.Headers.ContentLength);
    }

    [Fact]
    public async Task A_user_server_cannot_set_the_portal_cookies()
    {
        var http = new DefaultHttpContext();
        using var answer = new HttpResponseMessage { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        answer.Headers.TryAddWithoutValidation("Set-Cookie", "portal.auth=planted-session; Path=/; HttpOnly");
        answer.Headers.TryAddWithoutValidation("Set-Cookie", "Portal.Antiforgery=planted; Path=/");
        answer.Headers.TryAddWithoutValidation("Set-Cookie", "_xsrf=2|abc; Path=/ide/dana/lab/");
        Assert.True(await new JupyterTransformer(Token).TransformResponseAsync(http, answer, CancellationToken.None));
        Assert.Equal("_xsrf=2|abc; Path=/ide/dana/lab/", Assert.Single(http.Response.Headers.SetCookie.ToArray()));
    }

    [Fact]
    public async Task The_portal_page_may_frame_the_session_and_nobody_else()
    {
        var http = new DefaultHttpContext();
        using var answer = new HttpResponseMessage { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        // Jupyter's policy for a user's files: sandboxed, so an HTML file does not run scripts on the IDE origin.
        http.Response.Headers.ContentSecurityPolicy = "frame-ancestors 'self'; report-uri /api/security/csp-report; sandbox allow-scripts";
        http.Response.Headers.XFrameOptions = "SAMEORIGIN";
        Assert.True(await new JupyterTransformer(Token, "http://portal.example:5000").TransformResponseAsync(http, answer, CancellationToken.None));
        Assert.Equal("frame-ancestors 'self' http://portal.example:5000; report-uri /api/security/csp-report; sandbox allow-scripts",
            http.Response.Headers.ContentSecurityPolicy.ToString());
        Assert.False(http.Response.Headers.ContainsKey("X-Frame-Options"));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("http://portal.example:5000", true)]
    [InlineData("https://portal.example:5000", true)]
    [InlineData("http://evil.example", false)]
    [InlineData("http://portal.example:5001", false)]
    [InlineData("null", false)]
    public void Only_the_portal_own_pages_may_open_a_kernel_websocket(string? origin, bool allowed)
    {
        var http = new DefaultHttpContext();
        http.Request.Host = new HostString("portal.example:5000");
        if (origin is not null) http.Request.Headers.Origin = origin;
        Assert.Equal(allowed, Portal.Web.Auth.CrossOriginWebSockets.FromOwnPages(http.Request));
    }
}
