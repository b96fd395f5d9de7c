using System.Diagnostics;
using System.Text.Json;
using Portal.Tests.Shared;

namespace Portal.Tests.Unit.Support;

/// <summary>
/// The official Kubernetes OpenAPI schemas, through the kubernetes-models npm packages in tests/kube-schemas
/// (installed by the test command): validates objects and says, per object, what is wrong.
/// </summary>
public static class KubeSchemas
{
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    public sealed record Result(string File, int Index, string? Kind, string? Name, bool Ok, string? Error);

    private static string Folder => Path.Combine(RepoRoot.Path, "tests", "kube-schemas");

    public static void Require()
    {
        if (!File.Exists("/usr/bin/node") && !File.Exists("/usr/local/bin/node"))
            TestEnvironment.Missing("SKIPPED: node is not installed; run scripts/test.sh (it installs nodejs and npm).");
        if (!Directory.Exists(Path.Combine(Folder, "node_modules", "kubernetes-models")))
            TestEnvironment.Missing("SKIPPED: tests/kube-schemas has no node_modules; run 'npm ci' there (scripts/test.sh does).");
    }

    public static async Task<IReadOnlyList<Result>> ValidateAsync(params string[] files)
    {
        Require();
        var info = new ProcessStartInfo("node", ["validate.mjs", .. files]) { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        using var node = Process.Start(info)!;
        var output = await node.StandardOutput.ReadToEndAsync();
        var error = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        var results = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonSerializer.Deserialize<Result>(l, WebJson)!).ToList();
        if (node.ExitCode != 0 && results.All(r => r.Ok)) throw new InvalidOperationException($"validate.mjs failed: {error}");
        return results;
    }
}
