using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Portal.Benchmarks.LogStreaming;

/// <summary>The built portal as its own process on a free loopback port, with its own data directory (local manager).</summary>
public sealed class PortalUnderTest : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _root;

    private PortalUnderTest(Process process, string baseUrl, string root) => (_process, BaseUrl, _root) = (process, baseUrl, root);

    public const string AdminPassword = "benchmark-Passw0rd";

    public string BaseUrl { get; }
    public int Pid => _process.Id;
    /// <summary>An admin's personal access token, from the portal's own issue-token command.</summary>
    public string Token { get; private set; } = "";

    /// <summary>A client of the portal's API, signed in with <see cref="Token"/>.</summary>
    public HttpClient Client(HttpMessageHandler? handler = null)
    {
        var http = handler is null ? new HttpClient() : new HttpClient(handler);
        http.BaseAddress = new Uri(BaseUrl);
        http.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        return http;
    }

    private static async Task<string> IssueTokenAsync(string executable, string root)
    {
        var info = new ProcessStartInfo(executable, ["issue-token", "admin", "benchmark", "1"]) { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["HOME"] = root;
        info.Environment["PORTAL__STORE__DATA_DIR"] = Path.Combine(root, "data");
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("pat_", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"issue-token printed no token: {output} {await process.StandardError.ReadToEndAsync()}");
    }

    public static async Task<PortalUnderTest> StartAsync(string executable, string root)
    {
        if (!File.Exists(executable)) throw new FileNotFoundException($"The portal is not built at '{executable}'. Pass --portal PATH (benchmarks/log-streaming.sh does).");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var info = new ProcessStartInfo(executable) { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["HOME"] = root;
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment["PORTAL__STORE__DATA_DIR"] = Path.Combine(root, "data");
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["PORTAL_ADMIN_PASSWORD"] = AdminPassword;
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"portal: {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var portal = new PortalUnderTest(process, $"http://127.0.0.1:{port}", root);
        using var http = new HttpClient();
        for (var i = 0; i < 240; i++)
        {
            try
            {
                if ((await http.GetAsync($"{portal.BaseUrl}/signin")).IsSuccessStatusCode)
                {
                    portal.Token = await IssueTokenAsync(executable, root);
                    return portal;
                }
            }
            catch (HttpRequestException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException("The portal did not start within 60 s.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }
}
