using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Playwright;
using Portal.Tests.E2E.Support;

namespace Portal.Tests.E2E;

/// <summary>
/// Finding 5 of the isolation review: an admin, signed in, opens a page served from another port of the same host
/// (same site, so the browser sends the portal's cookie). The page posts a text/plain form into the settings import
/// and a no-cors multipart upload into a model's datasets, the requests that succeeded before the portal asked
/// cookie-authenticated changes for the page's antiforgery token. Nothing may change.
/// </summary>
public class CrossSiteFlowTests
{
    [SkippableFact]
    public async Task A_page_on_another_port_cannot_change_the_portal_with_the_admins_cookie()
    {
        Browser.RequireChromium();
        await using var portal = await PortalProcess.StartAsync();
        using var admin = await portal.ApiClientAsync();
        (await admin.PostAsJsonAsync("/api/v1/models", new { name = "m" })).EnsureSuccessStatusCode();
        var before = Settings(await admin.GetStringAsync("/api/v1/settings/export"));

        var attackerPort = Portal.Tests.Shared.TestEnvironment.FreePort();
        var attacker = $"http://127.0.0.1:{attackerPort}/";
        // The form's field name is chosen so that text/plain's "name=value" body is the YAML the attacker wants imported.
        var page = $$"""
            <!doctype html><html><body>
            <iframe name="sink"></iframe>
            <form id="f" method="post" target="sink" enctype="text/plain" action="{{portal.BaseUrl}}/api/v1/settings/import">
              <input name="container_manager: {api_timeout: 33}&#10;#" value="">
            </form>
            <script>
              document.getElementById('f').submit();
              const body = new FormData();
              body.append('name', 'planted');
              body.append('files', new Blob(['a,b\n1,2\n'], { type: 'text/csv' }), 'rows.csv');
              fetch('{{portal.BaseUrl}}/api/v1/models/m/datasets', { method: 'POST', mode: 'no-cors', credentials: 'include', body })
                .then(() => { document.title = 'sent'; }, e => { document.title = 'sent: ' + e; });
            </script>
            </body></html>
            """;
        using var server = new HttpListener();
        server.Prefixes.Add(attacker);
        server.Start();
        var serving = Task.Run(async () =>
        {
            while (server.IsListening)
            {
                HttpListenerContext context;
                try { context = await server.GetContextAsync(); }
                catch (HttpListenerException) { return; }
                catch (ObjectDisposedException) { return; }
                try
                {
                    var bytes = Encoding.UTF8.GetBytes(page);
                    context.Response.ContentType = "text/html; charset=utf-8";
                    await context.Response.OutputStream.WriteAsync(bytes);
                    context.Response.Close();
                }
                // A request still in flight when the test stops the listener (the browser's favicon, say) has no one to answer.
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            }
        });

        await using var session = await BrowserSession.StartAsync(portal, nameof(A_page_on_another_port_cannot_change_the_portal_with_the_admins_cookie));
        await session.RunAsync(async () =>
        {
            var answers = new System.Collections.Concurrent.ConcurrentQueue<string>();
            session.Page.Response += (_, r) => { if (r.Url.StartsWith(portal.BaseUrl, StringComparison.Ordinal)) answers.Enqueue($"{r.Status} {r.Url}"); };
            await session.Page.GotoAsync(attacker);
            await session.Page.WaitForFunctionAsync("() => document.title.startsWith('sent')");
            // Both requests reached the portal (the browser sent them, with the cookie) and were refused there.
            for (var i = 0; i < 40 && answers.Count < 2; i++) await Task.Delay(250);
            Console.WriteLine($"The portal answered the attacker's page: {string.Join("; ", answers)}");
            Assert.Contains(answers, a => a.StartsWith("403 ", StringComparison.Ordinal) && a.EndsWith("/api/v1/settings/import", StringComparison.Ordinal));
        });
        server.Stop();
        await serving;

        Assert.Equal(before, Settings(await admin.GetStringAsync("/api/v1/settings/export")));
        Assert.DoesNotContain("planted", await admin.GetStringAsync("/api/v1/models/m/datasets"));
    }

    /// <summary>The exported settings without their comment lines (which say when they were exported).</summary>
    private static string Settings(string export) => string.Join('\n', export.Split('\n').Where(l => !l.StartsWith('#')));
}
