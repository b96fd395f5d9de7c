using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Portal.Tests.E2E.Support;

/// <summary>
/// The real portal as a separate process (the built Portal.Web executable), on a free loopback port, with its
/// own working directory, home and data directory so nothing from the developer's machine leaks in.
/// </summary>
public sealed class PortalProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private PortalProcess(Process process, string baseUrl, string root, int port, int idePort)
    {
        _process = process;
        BaseUrl = baseUrl;
        Root = root;
        _port = port;
        _idePort = idePort;
    }

    private readonly int _port;
    private readonly int _idePort;
    private bool _killed;

    /// <summary>Ends the portal with SIGKILL, as a crash does: no shutdown, nothing flushed. Its data stays for <see cref="StartAgainAsync"/>.</summary>
    public async Task KillAsync()
    {
        _killed = true;
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <summary>A second portal process on the same data directory and database, on ports of its own (store contention).</summary>
    public static async Task<PortalProcess> StartSharingAsync(PortalProcess other)
    {
        var portal = Launch(Path.Combine(RepoPaths.WebOutput, "Portal.Web"), other.Root, Portal.Tests.Shared.TestEnvironment.FreePort());
        await portal.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        return portal;
    }

    /// <summary>A new portal process on a killed one's data, configuration and ports (workloads reach it at the same address).</summary>
    public static async Task<PortalProcess> StartAgainAsync(PortalProcess killed)
    {
        var portal = Launch(Path.Combine(RepoPaths.WebOutput, "Portal.Web"), killed.Root, killed._port, killed._idePort);
        await portal.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        return portal;
    }

    public string BaseUrl { get; }
    /// <summary>Where IDE sessions are served: a second port, their own origin.</summary>
    public string IdeUrl { get; private init; } = "";

    /// <summary>The first admin's password, given to the portal as PORTAL_ADMIN_PASSWORD.</summary>
    public const string AdminPassword = "e2e-Portal-Passw0rd";
    public string Root { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }

    public static async Task<PortalProcess> StartAsync(string portalYaml = "", int? port = null)
    {
        var executable = Path.Combine(RepoPaths.WebOutput, "Portal.Web");
        if (!File.Exists(executable))
            throw new InvalidOperationException($"The portal is not built at {executable}; run 'dotnet build Portal.sln' first (the test command does).");

        var root = Path.Combine(Path.GetTempPath(), "portal-e2e", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "portal.yaml"), portalYaml);
        for (var attempt = 1; ; attempt++)
        {
            var portal = Launch(executable, root, port ?? Portal.Tests.Shared.TestEnvironment.FreePort());
            try
            {
                await portal.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
                return portal;
            }
            // A free port can be taken by another process between choosing it and binding it: choose again.
            catch (InvalidOperationException e) when (attempt < 3 && e.Message.Contains("address already in use", StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"The portal's port was taken before it bound it; starting again ({e.Message.Split('\n')[0]})");
                portal._process.Dispose();
            }
        }
    }

    private static PortalProcess Launch(string executable, string root, int port, int? idePort = null)
    {
        var info = new ProcessStartInfo(executable)
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["HOME"] = root;
        // All addresses: containers reach the portal at the host's address on their network, not on loopback.
        info.Environment["ASPNETCORE_URLS"] = $"http://0.0.0.0:{port}";
        info.Environment["PORTAL__STORE__DATA_DIR"] = Path.Combine(root, "data");
        info.Environment["PORTAL_ADMIN_PASSWORD"] = AdminPassword;
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("PORTAL__", StringComparison.OrdinalIgnoreCase) && k != "PORTAL__STORE__DATA_DIR").ToList())
            info.Environment.Remove(key);
        // The IDE origin's port: free too (the default, the portal's port + 1, may belong to another test's portal).
        idePort ??= Portal.Tests.Shared.TestEnvironment.FreePort();
        info.Environment["PORTAL__IDE__PORT"] = idePort.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var process = new Process { StartInfo = info };
        var portal = new PortalProcess(process, $"http://127.0.0.1:{port}", root, port, idePort.Value) { IdeUrl = $"http://127.0.0.1:{idePort}" };
        process.OutputDataReceived += (_, e) => portal.Append(e.Data);
        process.ErrorDataReceived += (_, e) => portal.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return portal;
    }

    /// <summary>IDE sessions mount no folder of the test's, so the portal stops them itself before it goes.</summary>
    private async Task StopIdeSessionsAsync()
    {
        if (_process.HasExited) return;
        try
        {
            using var admin = await ApiClientAsync();
            using var all = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync("/api/v1/ide?all=true"));
            foreach (var s in all.RootElement.EnumerateArray().Where(s => s.GetProperty("state").GetString() is "RUNNING" or "WAITING"))
                await admin.PostAsync($"/api/v1/ide/{s.GetProperty("name").GetString()}/stop?user={s.GetProperty("user").GetString()}", null);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException)
        {
            Console.Error.WriteLine($"Could not stop the portal's IDE sessions before ending it: {e.Message}");
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The portal exited with code {_process.ExitCode} before it was ready:\n{Output}");
            try
            {
                if ((await http.GetAsync(BaseUrl + "/signin")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"The portal did not answer within {timeout.TotalSeconds} s:\n{Output}");
    }

    /// <summary>
    /// Signs in through the sign-in form as a browser would (antiforgery token included) and returns a client
    /// holding the session cookie.
    /// </summary>
    public async Task<HttpClient> SignInAsync(string user = "admin", string password = AdminPassword)
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(BaseUrl) };
        var response = await PostFormAsync(http, "/signin", new() { ["Input.Username"] = user, ["Input.Password"] = password });
        if (response.StatusCode != HttpStatusCode.Redirect)
            throw new InvalidOperationException($"Signing in as {user} failed ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync()}");
        return http;
    }

    /// <summary>A client for the API with a personal access token of the first admin, created through the API.</summary>
    public async Task<HttpClient> ApiClientAsync(string user = "admin", string password = AdminPassword)
    {
        using var session = await SignInAsync(user, password);
        // As the Tokens page does: a change made with the cookie carries a page's antiforgery token.
        var page = await session.GetStringAsync("/account/password");
        var antiforgery = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]*)\"").Groups[1].Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/me/tokens")
        {
            Content = new StringContent($$"""{"name":"e2e-{{Guid.NewGuid():N}}","days":1}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("RequestVerificationToken", antiforgery);
        var created = await session.SendAsync(request);
        created.EnsureSuccessStatusCode();
        using var doc = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", doc.RootElement.GetProperty("secret").GetString());
        return http;
    }

    /// <summary>
    /// A new local account with <paramref name="role"/>, created by the admin, its one-time password changed at the first
    /// sign-in as a person would; returns its password and an API client with its own token.
    /// </summary>
    public async Task<(string Password, HttpClient Api)> CreateUserAsync(HttpClient admin, string user, string role)
    {
        var created = await admin.PostAsync("/api/v1/users",
            new StringContent($$"""{"name":"{{user}}","roles":["{{role}}"]}""", Encoding.UTF8, "application/json"));
        created.EnsureSuccessStatusCode();
        using var doc = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var oneTime = doc.RootElement.GetProperty("password").GetString()!;
        const string chosen = "e2e correct horse battery";
        using (var session = await SignInAsync(user, oneTime))
        {
            var changed = await PostFormAsync(session, "/account/password",
                new() { ["Input.Current"] = oneTime, ["Input.Next"] = chosen, ["Input.Repeat"] = chosen });
            if (changed.StatusCode != HttpStatusCode.Redirect)
                throw new InvalidOperationException($"Changing {user}'s one-time password failed ({(int)changed.StatusCode}).");
        }
        return (chosen, await ApiClientAsync(user, chosen));
    }

    /// <summary>Posts a page's form as a browser would: its handler name and antiforgery token come from the page.</summary>
    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient http, string path, Dictionary<string, string> fields)
    {
        var form = await http.GetStringAsync(path);
        string Hidden(string name) => System.Text.RegularExpressions.Regex.Match(form, $"name=\"{name}\" value=\"([^\"]*)\"").Groups[1].Value;
        fields["_handler"] = Hidden("_handler");
        fields["__RequestVerificationToken"] = Hidden("__RequestVerificationToken");
        return await http.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    public async ValueTask DisposeAsync()
    {
        if (_killed)
        {
            _process.Dispose();
            return;
        }
        await StopIdeSessionsAsync();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        await Docker.RemoveServicesMountingAsync(Root);
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }
}
