using Microsoft.Playwright;
using Portal.Tests.E2E.Support;

namespace Portal.Tests.E2E;

/// <summary>A data scientist opens Jupyter from the IDE page and sees its file tree inside the portal, then stops it.</summary>
public class IdeFlowTests
{
    [SkippableFact]
    public async Task Open_the_ide_see_the_jupyter_tree_inside_the_portal_and_stop_it()
    {
        Browser.RequireChromium();
        await Docker.RequireSwarmAsync();
        await using var portal = await PortalProcess.StartAsync("container_manager:\n  type: swarm\n");
        await using var session = await BrowserSession.StartAsync(portal, nameof(Open_the_ide_see_the_jupyter_tree_inside_the_portal_and_stop_it));
        var page = session.Page;

        await session.RunAsync(async () =>
        {
            await page.GotoAsync("/ide");
            await Assertions.Expect(page.GetByText("No sessions yet")).ToBeVisibleAsync();
            await Ui.FillAsync(page, "#ide-name", "e2e-lab");
            await page.ClickAsync("#open-ide");
            await Ui.ExpectPathAsync(page, "/ide-sessions/e2e-lab");
            var jupyter = page.FrameLocator("#ide-frame");
            // Seen twice in about a dozen parallel CI runs: the tree page's scripts after react.production.min.js were never
            // requested and the list stayed hidden. Until the cause is known, what the browser saw is kept, and the page is
            // loaded once more (as a user would); a second miss fails with that evidence.
            var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
            page.RequestFailed += (_, r) => seen.Enqueue($"failed {r.Url}: {r.Failure}");
            page.Response += (_, r) => { if (r.Status >= 400) seen.Enqueue($"{r.Status} {r.Url}"); };
            page.Console += (_, m) => { if (m.Type is "error" or "warning") seen.Enqueue($"console {m.Type}: {m.Text}"); };
            try { await Assertions.Expect(jupyter.Locator("#notebook_list")).ToBeVisibleAsync(new() { Timeout = 60_000 }); }
            catch (PlaywrightException)
            {
                Console.Error.WriteLine($"IDE tree not shown on the first load; the browser saw:\n{string.Join("\n", seen)}");
                await session.ShotAsync("00-tree-missing");
                await page.ReloadAsync();
                try { await Assertions.Expect(jupyter.Locator("#notebook_list")).ToBeVisibleAsync(new() { Timeout = 60_000 }); }
                catch (PlaywrightException e) { throw new PlaywrightException($"{e.Message}\nThe browser saw:\n{string.Join("\n", seen)}"); }
            }
            await Assertions.Expect(jupyter.Locator("body")).ToContainTextAsync("Files");
            await session.ShotAsync("01-jupyter-tree");

            await page.ClickAsync("#stop-ide");
            await Assertions.Expect(page.Locator("#ide-message")).ToContainTextAsync("Stopped by its user");
            await page.GotoAsync("/ide");
            await Assertions.Expect(page.Locator("#ide-sessions")).ToContainTextAsync("STOPPED");
        });
    }

    /// <summary>
    /// Finding 3 of the isolation review: a data scientist plants a custom.js in their Jupyter; an admin opens that
    /// session in the portal. The script runs in the admin's browser, and tries what it did when Jupyter was served on
    /// the portal's origin: read a portal page for its antiforgery token and create an admin account with the admin's
    /// cookie. On the IDE origin it reaches nothing of the portal.
    /// </summary>
    [SkippableFact]
    public async Task A_custom_js_in_a_users_jupyter_cannot_act_as_the_admin_who_opens_the_session()
    {
        Browser.RequireChromium();
        await Docker.RequireSwarmAsync();
        await using var portal = await PortalProcess.StartAsync("container_manager:\n  type: swarm\n");
        using var admin = await portal.ApiClientAsync();
        var (_, dana) = await portal.CreateUserAsync(admin, "dana", "data_scientist");

        var started = await dana.PostAsync("/api/v1/ide", Json("""{"name":"trap"}"""));
        Assert.Equal(System.Net.HttpStatusCode.Created, started.StatusCode);
        var url = System.Text.Json.JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("url").GetString()!;
        Assert.StartsWith(portal.IdeUrl, url);
        for (var i = 0; i < 240 && (await dana.GetAsync($"{url}api/status")).StatusCode != System.Net.HttpStatusCode.OK; i++) await Task.Delay(500);
        var script = $$"""
            (async () => {
              const seen = {};
              const portal = '{{portal.BaseUrl}}';
              try {
                const page = await fetch('/account/password');
                const text = await page.text();
                seen.samePage = page.status;
                const token = (text.match(/name="__RequestVerificationToken" value="([^"]*)"/) || [])[1] || '';
                const made = await fetch('/api/v1/users', { method: 'POST', headers: { 'Content-Type': 'application/json', 'RequestVerificationToken': token },
                  body: JSON.stringify({ name: 'mallory', roles: ['admin'] }) });
                seen.sameCreate = made.status;
              } catch (e) { seen.same = String(e); }
              try {
                const page = await fetch(portal + '/account/password', { credentials: 'include' });
                seen.crossPage = page.status;
              } catch (e) { seen.crossPage = 'blocked'; }
              try {
                await fetch(portal + '/api/v1/users', { method: 'POST', mode: 'no-cors', credentials: 'include',
                  headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ name: 'mallory2', roles: ['admin'] }) });
                seen.crossCreate = 'sent';
              } catch (e) { seen.crossCreate = String(e); }
              seen.cookies = document.cookie;
              document.title = 'probe:' + JSON.stringify(seen);
            })();
            """;
        // Jupyter serves custom/custom.js from its configuration folder (~/.jupyter/custom); dana's kernel writes it there.
        await RunInKernelAsync(dana, url, $"import os; d = os.path.expanduser('~/.jupyter/custom'); os.makedirs(d, exist_ok=True); " +
            $"open(os.path.join(d, 'custom.js'), 'w').write({System.Text.Json.JsonSerializer.Serialize(script)}); print('planted')");

        await using var session = await BrowserSession.StartAsync(portal, nameof(A_custom_js_in_a_users_jupyter_cannot_act_as_the_admin_who_opens_the_session));
        var page = session.Page;
        await session.RunAsync(async () =>
        {
            await page.GotoAsync("/ide-sessions/trap?user=dana");
            var frame = page.FrameLocator("#ide-frame");
            await Assertions.Expect(frame.Locator("#notebook_list")).ToBeVisibleAsync(new() { Timeout = 90_000 });
            // The script ran in the admin's browser (the frame's title is what it saw), on the IDE origin.
            var jupyter = page.Frames.First(f => f.Url.StartsWith(portal.IdeUrl, StringComparison.Ordinal));
            await jupyter.WaitForFunctionAsync("() => document.title.startsWith('probe:')", null, new() { Timeout = 30_000 });
            var seen = (await jupyter.EvaluateAsync<string>("() => document.title"))["probe:".Length..];
            await session.ShotAsync("01-trap-opened-by-admin");
            Console.WriteLine($"custom.js saw: {seen}");
            using var probe = System.Text.Json.JsonDocument.Parse(seen);
            Assert.Equal(404, probe.RootElement.GetProperty("samePage").GetInt32());
            Assert.Equal(404, probe.RootElement.GetProperty("sameCreate").GetInt32());
            Assert.Equal("blocked", probe.RootElement.GetProperty("crossPage").GetString());
            Assert.DoesNotContain("portal.", probe.RootElement.GetProperty("cookies").GetString());
        });
        var users = await admin.GetStringAsync("/api/v1/users?take=100");
        Assert.DoesNotContain("mallory", users);
    }

    /// <summary>Runs code in a new kernel of the session, over Jupyter's messaging protocol, as a notebook page would.</summary>
    private static async Task RunInKernelAsync(HttpClient owner, string sessionUrl, string code)
    {
        var kernel = await owner.PostAsync($"{sessionUrl}api/kernels", Json("""{"name":"python3"}"""));
        kernel.EnsureSuccessStatusCode();
        var id = System.Text.Json.JsonDocument.Parse(await kernel.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", owner.DefaultRequestHeaders.Authorization!.ToString());
        await socket.ConnectAsync(new Uri($"{sessionUrl.Replace("http://", "ws://", StringComparison.Ordinal)}api/kernels/{id}/channels"), CancellationToken.None);
        var request = System.Text.Json.JsonSerializer.Serialize(new
        {
            header = new { msg_id = Guid.NewGuid().ToString(), username = "dana", session = Guid.NewGuid().ToString(), msg_type = "execute_request", version = "5.3" },
            parent_header = new { }, metadata = new { }, channel = "shell", buffers = Array.Empty<object>(),
            content = new { code, silent = false, store_history = false, user_expressions = new { }, allow_stdin = false, stop_on_error = true },
        });
        await socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(request), System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var buffer = new byte[1 << 20];
        var received = new System.Text.StringBuilder();
        while (!received.ToString().Contains("planted", StringComparison.Ordinal))
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            received.Append(System.Text.Encoding.UTF8.GetString(buffer, 0, result.Count));
            Assert.DoesNotContain("\"ename\"", received.ToString());
        }
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
