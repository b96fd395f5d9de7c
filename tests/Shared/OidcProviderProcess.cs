using System.Globalization;
using System.Diagnostics;
using System.Text;

namespace Portal.Tests.Shared;

/// <summary>
/// A real OpenID Provider for tests: panva's certified oidc-provider (npm), started from tests/oidc-provider on a
/// loopback port. Accounts alice (data scientist), victor (viewer), lena (team lead), root (admin) and nobody (no
/// role) sign in on its own login page with any password.
/// </summary>
public sealed class OidcProviderProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private OidcProviderProcess(Process process) => _process = process;

    public int Port { get; private set; }
    public string Issuer => $"http://127.0.0.1:{Port}";
    public string Output { get { lock (_output) return _output.ToString(); } }

    public static string Folder { get; } = FindFolder();

    /// <summary>Why the provider cannot run here, or null when it can (node and the npm packages are installed).</summary>
    public static string? Unavailable()
    {
        if (!Directory.Exists(Path.Combine(Folder, "node_modules", "oidc-provider")))
            return $"SKIPPED: oidc-provider is not installed in {Folder}; run 'npm ci' there (scripts/test.sh does).";
        return null;
    }

    /// <summary>Skips the calling test (loudly) when the provider cannot run; in CI, where everything is installed, fails it instead.</summary>
    public static void Require()
    {
        if (Unavailable() is { } why) TestEnvironment.Missing(why);
    }

    /// <summary>Starts the provider with <paramref name="clientsJson"/> (oidc-provider client metadata); the same <paramref name="keysFile"/> and port make a restart, a new keys file a key rotation.</summary>
    public static async Task<OidcProviderProcess> StartAsync(string clientsJson, string? keysFile = null, int port = 0)
    {
        var info = new ProcessStartInfo("node", ["server.mjs"])
        {
            WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.Environment["PORT"] = port.ToString(CultureInfo.InvariantCulture);
        info.Environment["CLIENTS"] = clientsJson;
        if (keysFile is not null) info.Environment["KEYS_FILE"] = keysFile;
        var process = new Process { StartInfo = info };
        var provider = new OidcProviderProcess(process);
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (provider._output) provider._output.AppendLine(e.Data);
            if (e.Data.StartsWith("listening ", StringComparison.Ordinal)) ready.TrySetResult(int.Parse(e.Data.Split(' ')[1], CultureInfo.InvariantCulture));
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (provider._output) provider._output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var done = await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(30)));
        if (done != ready.Task)
        {
            await provider.DisposeAsync();
            throw new InvalidOperationException($"The OpenID provider did not start:\n{provider.Output}");
        }
        provider.Port = await ready.Task;
        return provider;
    }

    /// <summary>A JWT signed with the provider's own signing key, with exactly these claims (test helper route).</summary>
    public async Task<string> SignAsync(string claimsJson)
    {
        using var http = new HttpClient();
        var response = await http.PostAsync($"{Issuer}/test/sign", new StringContent(claimsJson, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Portal.sln"))) return Path.Combine(dir.FullName, "tests", "oidc-provider");
        throw new InvalidOperationException("Portal.sln not found above the tests.");
    }
}
