using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Ide;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Ide;

/// <summary>Jupyter from the notebook base image on the real swarm, reached only through the portal's proxy: HTTP, kernels over WebSocket, the home volume.</summary>
public sealed class IdeProxyTests
{
    private static async Task WaitUntilServingAsync(HttpClient http, string path)
    {
        for (var i = 0; i < 240; i++)
        {
            if ((await http.GetAsync($"{path}api/status")).StatusCode == HttpStatusCode.OK) return;
            await Task.Delay(250);
        }
        var name = path.TrimEnd('/').Split('/')[^1];
        throw new TimeoutException($"{path} did not answer; the session: {await http.GetStringAsync($"/api/v1/ide/{name}")}");
    }

    private static void RequireLocalJupyter()
    {
        RealPython.Require();
        if (!File.Exists("/usr/bin/jupyter-notebook"))
            Portal.Tests.Shared.TestEnvironment.Missing("SKIPPED: /usr/bin/jupyter-notebook is missing (apt-get install jupyter-notebook; scripts/test.sh does as root).");
    }

    private static async Task<JsonElement> StartAsync(HttpClient http, string name, object? body = null)
    {
        var started = await http.PostAsJsonAsync("/api/v1/ide", body ?? new { name });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var session = await started.Content.ReadFromJsonAsync<JsonElement>();
        await WaitUntilServingAsync(http, session.GetProperty("url").GetString()!);
        return session;
    }

    private static string Message(string type, string code) => new JsonObject
    {
        ["header"] = new JsonObject
        {
            ["msg_id"] = Guid.NewGuid().ToString(), ["username"] = "test", ["session"] = Guid.NewGuid().ToString(),
            ["msg_type"] = type, ["version"] = "5.3", ["date"] = DateTime.UtcNow.ToString("O"),
        },
        ["parent_header"] = new JsonObject(), ["metadata"] = new JsonObject(), ["channel"] = "shell", ["buffers"] = new JsonArray(),
        ["content"] = new JsonObject { ["code"] = code, ["silent"] = false, ["store_history"] = false, ["user_expressions"] = new JsonObject(), ["allow_stdin"] = false, ["stop_on_error"] = true },
    }.ToJsonString();

    [SkippableFact]
    public async Task Jupyter_answers_through_the_proxy_runs_code_over_a_proxied_websocket_and_the_home_volume_keeps_files()
    {
        await RealDocker.RequireNotebookBaseAsync();
        await using var portal = await RealPortalHost.StartAsync(manager: "swarm");
        (await portal.Http.PostAsJsonAsync("/api/v1/models", new { name = "m" })).EnsureSuccessStatusCode();
        var weights = new MultipartFormDataContent { { new StringContent("weights"), "files", "w.txt" } };
        (await portal.Http.PostAsync("/api/v1/models/m/versions", weights)).EnsureSuccessStatusCode();
        // Kept compressed: the session unpacks them into its work folder.
        var packed = new MultipartFormDataContent { { new StringContent("packed"), "files", "w.txt" }, { new StringContent("true"), "compress" } };
        (await portal.Http.PostAsync("/api/v1/models/m/versions", packed)).EnsureSuccessStatusCode();
        var rows = new MultipartFormDataContent { { new StringContent("d1"), "name" }, { new StringContent("true"), "compress" }, { new StringContent("a,b\n1,2\n"), "files", "rows.csv" } };
        (await portal.Http.PostAsync("/api/v1/models/m/datasets", rows)).EnsureSuccessStatusCode();
        var code = portal.Dir.File("proj/code.py", "code");
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "proj", home_dir = Path.GetDirectoryName(code) })).EnsureSuccessStatusCode();
        var refused = await portal.Http.PostAsJsonAsync("/api/v1/ide", new { name = "bad", model_versions = new[] { "m/9" }, env = new Dictionary<string, string> { ["JUPYTER_TOKEN"] = "x" } });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("model_versions", out _) && errors.TryGetProperty("env", out _));
        var session = await StartAsync(portal.Http, "lab", new
        {
            name = "lab", model_versions = new[] { "m/1", "m/2" }, datasets = new[] { "m/d1" }, edit_project = "proj", env = new Dictionary<string, string> { ["GREETING"] = "hej" },
        });
        var path = session.GetProperty("url").GetString()!;
        Assert.Equal($"{portal.IdeAddress}/ide/admin/lab/", path);

        var status = await portal.Http.GetFromJsonAsync<JsonElement>($"{path}api/status");
        Assert.True(status.TryGetProperty("last_activity", out _));

        // Another data scientist gets nowhere: not through the proxy, not through the API, not in their list.
        using var olga = new HttpClient { BaseAddress = new Uri(portal.BaseAddress) };
        olga.UseToken(await TestIdentities.TokenAsync(portal.Services, "olga", Portal.Core.Security.Roles.DataScientist));
        Assert.Equal(HttpStatusCode.NotFound, (await olga.GetAsync($"{path}api/status")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await olga.GetAsync("/api/v1/ide/lab?user=admin")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await olga.PostAsync("/api/v1/ide/lab/stop?user=admin", null)).StatusCode);
        Assert.Empty(await olga.GetFromJsonAsync<JsonElement[]>("/api/v1/ide?all=true") ?? []);
        // A viewer may not use the IDE at all.
        using var vera = new HttpClient { BaseAddress = new Uri(portal.BaseAddress) };
        vera.UseToken(await TestIdentities.TokenAsync(portal.Services, "vera", Portal.Core.Security.Roles.Viewer));
        Assert.Equal(HttpStatusCode.Forbidden, (await vera.GetAsync("/api/v1/ide")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await vera.GetAsync($"{path}api/status")).StatusCode);
        var kernel = await (await portal.Http.PostAsync($"{path}api/kernels", null)).Content.ReadFromJsonAsync<JsonElement>();
        var kernelId = kernel.GetProperty("id").GetString();
        Assert.Contains(await portal.Http.GetFromJsonAsync<JsonElement[]>($"{path}api/kernels") ?? [], k => k.GetProperty("id").GetString() == kernelId);

        // The browser side of a kernel: a WebSocket through the portal, Jupyter's messaging protocol inside.
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {portal.AdminToken}");
        await socket.ConnectAsync(new Uri($"{path.Replace("http://", "ws://")}api/kernels/{kernelId}/channels"), CancellationToken.None);
        await socket.SendAsync(Encoding.UTF8.GetBytes(Message("execute_request", "import os\nprint(6 * 7, os.environ['GREETING'], open('/portal/models/m/1/w.txt').read(), open('/portal/models/m/2/w.txt').read(), open('/project/code.py').read(), len(open('/portal/datasets/d1/rows.csv').readlines()))")), WebSocketMessageType.Text, true, CancellationToken.None);
        var printed = "";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var buffer = new byte[1 << 20];
        while (!printed.Contains("42"))
        {
            var text = new StringBuilder();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, timeout.Token);
                text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            } while (!result.EndOfMessage);
            var message = JsonNode.Parse(text.ToString())!;
            if (message["msg_type"]?.GetValue<string>() == "stream") printed += message["content"]!["text"]!.GetValue<string>();
        }
        Assert.Equal("42 hej weights packed code 2\n", printed);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);

        // Jupyter's token never reaches the browser: the proxy adds it.
        var token = portal.Services.GetRequiredService<IdeService>().TokenOf(await portal.Services.GetRequiredService<IdeService>().GetAsync("admin", "lab", CancellationToken.None));
        Assert.DoesNotContain(token, await portal.Http.GetStringAsync($"{path}tree"));

        // A file in the home folder outlives the session.
        var marker = Guid.NewGuid().ToString("N");
        var saved = await portal.Http.PutAsJsonAsync($"{path}api/contents/kept.txt", new { type = "file", format = "text", content = marker });
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        var labId = (await portal.Services.GetRequiredService<IdeService>().GetAsync("admin", "lab", CancellationToken.None)).Id;
        var unpacked = Path.Combine(portal.Dir.Path, "data", "work", "ide", labId.ToString());
        Assert.Single(Directory.GetFiles(unpacked, "rows.csv", SearchOption.AllDirectories));
        Assert.Equal(HttpStatusCode.OK, (await portal.Http.PostAsync("/api/v1/ide/lab/stop", null)).StatusCode);
        Assert.False(Directory.Exists(unpacked));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await portal.Http.GetAsync($"{path}api/status")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await portal.Http.PostAsync("/api/v1/ide/lab/restart", null)).StatusCode);
        await WaitUntilServingAsync(portal.Http, path);
        var next = await StartAsync(portal.Http, "lab2");
        var file = await portal.Http.GetFromJsonAsync<JsonElement>($"{next.GetProperty("url").GetString()}api/contents/kept.txt");
        Assert.Equal(marker, file.GetProperty("content").GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await portal.Http.GetAsync($"{portal.IdeAddress}/ide/admin/nope/api/status")).StatusCode);
    }

    [SkippableFact]
    public async Task On_embedded_defaults_Jupyter_runs_as_a_local_process_behind_the_same_proxy()
    {
        RequireLocalJupyter();
        await using var portal = await RealPortalHost.StartAsync();
        using var dana = new HttpClient { BaseAddress = new Uri(portal.BaseAddress) };
        dana.UseToken(await TestIdentities.TokenAsync(portal.Services, "dana", Portal.Core.Security.Roles.DataScientist));
        var session = await StartAsync(dana, "local-lab");
        var path = session.GetProperty("url").GetString()!;
        Assert.Equal($"{portal.IdeAddress}/ide/dana/local-lab/", path);
        var marker = Guid.NewGuid().ToString("N");
        var saved = await dana.PutAsJsonAsync($"{path}api/contents/kept.txt", new { type = "file", format = "text", content = marker });
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        // The home folder is the user's volume: a folder under the data directory on embedded defaults.
        Assert.Equal(marker, File.ReadAllText(Path.Combine(portal.Dir.Path, "data", "volumes", portal.Services.GetRequiredService<IdeStorage>().HomeVolume("dana"), "kept.txt")));

        // A kernel's websocket opened by a page of another site is refused by the portal; the portal's own page gets through.
        var kernel = await (await dana.PostAsJsonAsync($"{path}api/kernels", new { name = "python3" })).Content.ReadFromJsonAsync<JsonElement>();
        var channels = new Uri($"{path.Replace("http://", "ws://", StringComparison.Ordinal)}api/kernels/{kernel.GetProperty("id").GetString()}/channels");
        async Task<HttpStatusCode> ConnectAsync(string origin)
        {
            using var socket = new ClientWebSocket();
            socket.Options.CollectHttpResponseDetails = true;
            socket.Options.SetRequestHeader("Authorization", dana.DefaultRequestHeaders.Authorization!.ToString());
            socket.Options.SetRequestHeader("Origin", origin);
            try { await socket.ConnectAsync(channels, CancellationToken.None); }
            catch (WebSocketException) { return socket.HttpStatusCode; }
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            return socket.HttpStatusCode;
        }
        Assert.Equal(HttpStatusCode.Forbidden, await ConnectAsync("http://evil.example"));
        // A cross-site post into the session (it would run with Jupyter's token, which the proxy adds) is refused too.
        using (var forged = new HttpRequestMessage(HttpMethod.Post, $"{path}api/kernels") { Content = JsonContent.Create(new { name = "python3" }) })
        {
            forged.Headers.Add("Origin", "http://evil.example");
            Assert.Equal(HttpStatusCode.Forbidden, (await dana.SendAsync(forged)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.SwitchingProtocols, await ConnectAsync(portal.IdeAddress));

        // The session's notebooks drive the portal as dana with the SDK: PORTAL_URL and a token of hers are in their environment.
        var jupyterEnv = JupyterEnvironmentOf("dana");
        var sdk = new Dictionary<string, string> { ["PORTAL_URL"] = jupyterEnv["PORTAL_URL"], ["PORTAL_TOKEN"] = jupyterEnv["PORTAL_TOKEN"] };
        Assert.Equal("dana", (await RunSdkAsync(sdk, "print(Portal().me()['name'])")).Trim());
        var ideToken = Assert.Single((await dana.GetFromJsonAsync<JsonElement[]>("/api/v1/me/tokens"))!, t => t.GetProperty("name").GetString()!.StartsWith("IDE session local-lab ", StringComparison.Ordinal));
        Assert.True(ideToken.GetProperty("active").GetBoolean());

        // An admin sees everyone's sessions and may reach and stop them; the stop says who did it.
        Assert.Equal(HttpStatusCode.OK, (await portal.Http.GetAsync($"{path}api/status")).StatusCode);
        Assert.Contains(await portal.Http.GetFromJsonAsync<JsonElement[]>("/api/v1/ide?all=true") ?? [], s => s.GetProperty("user").GetString() == "dana");
        var stopped = await (await portal.Http.PostAsync("/api/v1/ide/local-lab/stop?user=dana", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Stopped by the admin admin.", stopped.GetProperty("message").GetString());
        // Stopped, the session's token opens nothing.
        Assert.Contains("revoked", await RunSdkAsync(sdk, "from portal_client import PortalError\ntry:\n    Portal().me()\nexcept PortalError as e:\n    print(e)"));
    }

    /// <summary>The environment of <paramref name="user"/>'s Jupyter process on the local manager, read from /proc as root can.</summary>
    private static Dictionary<string, string> JupyterEnvironmentOf(string user)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            string[] vars;
            try { vars = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0', StringSplitOptions.RemoveEmptyEntries); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            var env = vars.Select(v => v.Split('=', 2)).Where(p => p.Length == 2).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);
            if (env.GetValueOrDefault("PORTAL_USER") == user && env.ContainsKey("JUPYTER_TOKEN")) return env;
        }
        throw new InvalidOperationException($"no Jupyter process of {user} found under /proc");
    }

    /// <summary>Runs Python with the portal_client the portal ships in its toolkit, as a notebook cell would.</summary>
    private static async Task<string> RunSdkAsync(Dictionary<string, string> env, string code)
    {
        var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3", ["-c", "from portal_client import Portal\n" + code])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["PYTHONPATH"] = Portal.Core.Containers.PortalToolkit.Directory;
        foreach (var (k, v) in env) start.Environment[k] = v;
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);
        return output;
    }

    [SkippableFact]
    public async Task A_browser_enters_a_session_only_with_a_one_time_ticket_on_the_ide_origin_never_with_the_portal_cookie()
    {
        RequireLocalJupyter();
        await using var portal = await RealPortalHost.StartAsync();
        var (browser, jar) = await CookieBrowser.SignInAsync(portal, "dana", Portal.Core.Security.Roles.DataScientist);
        using var script = new HttpClient { BaseAddress = new Uri(portal.BaseAddress) };
        script.UseToken(await TestIdentities.TokenAsync(portal.Services, "dana", Portal.Core.Security.Roles.DataScientist));
        await StartAsync(script, "lab");
        var ide = portal.IdeAddress;

        // Jupyter is not served on the portal's origin at all: there its pages would act with the rights of whoever opens them.
        var onPortal = await browser.GetAsync("/ide/dana/lab/api/status");
        Assert.Equal(HttpStatusCode.NotFound, onPortal.StatusCode);
        Assert.Contains($"served at {ide}", await onPortal.Content.ReadAsStringAsync());
        // Browsers send the portal's cookie to another port of the same host too: it opens nothing there.
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"{ide}/ide/dana/lab/api/status")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"{ide}/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"{ide}/settings")).StatusCode);

        // The way in: the portal hands a signed-in owner a ticket; the IDE origin turns it into a cookie for that session only.
        var open = await browser.GetAsync("/ide-open/dana/lab?path=api/status");
        Assert.Equal(HttpStatusCode.Redirect, open.StatusCode);
        var ticketUrl = open.Headers.Location!.ToString();
        Assert.StartsWith($"{ide}/ide-ticket?t=", ticketUrl);
        var redeemed = await browser.GetAsync(ticketUrl);
        Assert.Equal(HttpStatusCode.Redirect, redeemed.StatusCode);
        Assert.Equal("/ide/dana/lab/api/status", redeemed.Headers.Location!.ToString());
        var cookie = Assert.Single(redeemed.Headers.GetValues("Set-Cookie"));
        Assert.Contains("path=/ide/dana/lab/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        var status = await browser.GetAsync($"{ide}/ide/dana/lab/api/status");
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.StartsWith($"frame-ancestors 'self' {portal.BaseAddress.TrimEnd('/')}", status.Headers.GetValues("Content-Security-Policy").Single());
        // A ticket works once.
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync(ticketUrl)).StatusCode);
        // The way in never leads out of the session: a path naming another site or climbing out becomes the tree.
        foreach (var hostile in new[] { "//evil.example/x", "https://evil.example", "../../../api/v1/me", "\\evil.example" })
        {
            var led = await browser.GetAsync(await browser.GetAsync($"/ide-open/dana/lab?path={Uri.EscapeDataString(hostile)}")
                .ContinueWith(t => t.Result.Headers.Location!.ToString()));
            Assert.Equal("/ide/dana/lab/tree", led.Headers.Location!.ToString());
        }
        // A forged session cookie opens nothing.
        using (var forged = new HttpRequestMessage(HttpMethod.Get, $"{ide}/ide/dana/lab/api/status"))
        {
            forged.Headers.Add("Cookie", "portal.ide=forged-value");
            using var bare = new HttpClient();
            Assert.Equal(HttpStatusCode.NotFound, (await bare.SendAsync(forged)).StatusCode);
        }

        // Another data scientist gets no ticket for dana's session, and dana's session cookie opens only that session.
        var (olga, _) = await CookieBrowser.SignInAsync(portal, "olga", Portal.Core.Security.Roles.DataScientist);
        Assert.Equal(HttpStatusCode.NotFound, (await olga.GetAsync("/ide-open/dana/lab")).StatusCode);
        await StartAsync(script, "other");
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"{ide}/ide/dana/other/api/status")).StatusCode);

        // A page on the IDE origin cannot open the portal's circuit or hubs with the portal's cookie (no CORS for websockets).
        async Task<HttpStatusCode> PortalSocketAsync(string path, string origin)
        {
            using var socket = new ClientWebSocket();
            socket.Options.CollectHttpResponseDetails = true;
            socket.Options.Cookies = jar;
            socket.Options.SetRequestHeader("Origin", origin);
            try { await socket.ConnectAsync(new Uri(portal.BaseAddress.Replace("http://", "ws://", StringComparison.Ordinal).TrimEnd('/') + "/" + path), CancellationToken.None); }
            catch (WebSocketException) { return socket.HttpStatusCode; }
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            return socket.HttpStatusCode;
        }
        Assert.Equal(HttpStatusCode.Forbidden, await PortalSocketAsync("_blazor", ide));
        Assert.Equal(HttpStatusCode.Forbidden, await PortalSocketAsync("hubs/logs", ide));
        Assert.NotEqual(HttpStatusCode.Forbidden, await PortalSocketAsync("hubs/logs", portal.BaseAddress.TrimEnd('/')));

        // Signing out (or a password or role change) ends the session cookie with the portal's.
        await portal.Services.GetRequiredService<Portal.Core.Security.UserService>().EndSessionsAsync("dana", CancellationToken.None);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"{ide}/ide/dana/lab/api/status")).StatusCode);
    }

    [SkippableFact]
    public async Task An_idle_session_is_culled_and_says_why()
    {
        await RealDocker.RequireNotebookBaseAsync();
        await using var portal = await RealPortalHost.StartAsync("ide:\n  cull_idle_seconds: 10\n  cull_check_seconds: 1\n", manager: "swarm");
        await StartAsync(portal.Http, "sleepy");
        JsonElement session = default;
        for (var i = 0; i < 120; i++)
        {
            session = await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/ide/sleepy");
            if (session.GetProperty("state").GetString() != "RUNNING") break;
            await Task.Delay(500);
        }
        Assert.Equal("CANCELLED", session.GetProperty("state").GetString());
        Assert.Contains("without activity", session.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await portal.Http.GetAsync($"{portal.IdeAddress}/ide/admin/sleepy/api/status")).StatusCode);
    }
}
