using System.Diagnostics;
using System.Text.Json;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Cli;

/// <summary>
/// The portal CLI installed as a user would (<c>pip install ./cli</c>, into a virtual environment that sees Debian's
/// Python packages, nothing fetched), run as a process with its own HOME.
/// </summary>
public sealed class PortalCli : IDisposable
{
    private readonly TempDir _dir = new();
    private string _portal = "";

    /// <summary>The HOME the CLI runs with (its ~/.portal/cli.yaml is there).</summary>
    public string Home => Path.Combine(_dir.Path, "home");

    public static async Task<PortalCli> InstallAsync()
    {
        var cli = new PortalCli();
        var venv = Path.Combine(cli._dir.Path, "venv");
        await RunAsync("/usr/bin/python3", ["-m", "venv", "--system-site-packages", venv], null);
        // Built from a copy: pip writes build/ and egg-info next to the sources.
        var source = Path.Combine(cli._dir.Path, "cli");
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoRoot.Path, "cli"), "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Path.Combine(RepoRoot.Path, "cli"), file);
            if (relative.StartsWith("build", StringComparison.Ordinal) || relative.Contains(".egg-info", StringComparison.Ordinal) || relative.Contains("__pycache__", StringComparison.Ordinal)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(source, relative))!);
            File.Copy(file, Path.Combine(source, relative));
        }
        await RunAsync(Path.Combine(venv, "bin", "pip"), ["install", "--quiet", "--no-index", "--no-build-isolation", "--no-deps", source], null);
        Directory.CreateDirectory(cli.Home);
        cli._portal = Path.Combine(venv, "bin", "portal");
        return cli;
    }

    public sealed record Result(int Code, string Out, string Err);

    /// <summary>Runs <c>portal ARGS</c> with <paramref name="stdin"/> and the environment given (PORTAL_* unset unless given).</summary>
    public Task<Result> RunAsync(string? stdin, params string[] args) => ExecAsync(_portal, args, stdin, Home, null);

    /// <summary>Runs <c>portal ARGS</c> with these environment variables set (PORTAL_URL, PORTAL_TOKEN).</summary>
    public Task<Result> RunWithAsync(IReadOnlyDictionary<string, string> env, string? stdin, params string[] args) => ExecAsync(_portal, args, stdin, Home, env);

    /// <summary>Runs <c>portal ARGS</c> and asserts that it succeeded.</summary>
    public async Task<Result> OkAsync(params string[] args)
    {
        var result = await RunAsync(null, args);
        Assert.True(result.Code == 0, $"portal {string.Join(' ', args)} exited {result.Code}: {result.Err}{result.Out}");
        return result;
    }

    /// <summary>What a successful <c>-o json</c> run printed.</summary>
    public static JsonElement Json(Result result)
    {
        Assert.True(result.Code == 0, result.Err);
        return JsonDocument.Parse(result.Out).RootElement;
    }

    /// <summary>The "KIND/action" steps of an <c>apply -o json</c> plan.</summary>
    public static string[] Actions(string json) =>
        [.. JsonDocument.Parse(json).RootElement.EnumerateArray().Select(a => $"{a.GetProperty("kind").GetString()}/{a.GetProperty("action").GetString()}")];

    private static async Task RunAsync(string file, string[] args, string? stdin)
    {
        var result = await ExecAsync(file, args, stdin, null, null);
        if (result.Code != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {result.Err}{result.Out}");
    }

    private static async Task<Result> ExecAsync(string file, string[] args, string? stdin, string? home, IReadOnlyDictionary<string, string>? env)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.Environment.Remove("PORTAL_URL");
        start.Environment.Remove("PORTAL_TOKEN");
        if (home is not null) start.Environment["HOME"] = home;
        foreach (var (name, value) in env ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public void Dispose() => _dir.Dispose();
}
