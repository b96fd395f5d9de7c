using Portal.Tests.Shared;
using System.Diagnostics;

namespace Portal.Tests.E2E.Support;

/// <summary>The real dockerd in swarm mode with the notebook base image, as scripts/ensure-docker.sh leaves it.</summary>
public static class Docker
{
    private static readonly Lazy<Task<string?>> Problem = new(async () =>
    {
        if (!File.Exists("/var/run/docker.sock")) return "dockerd is not running (/var/run/docker.sock is missing)";
        var (code, output) = await RunAsync("info", "--format", "{{.Swarm.LocalNodeState}}");
        if (code != 0) return $"docker info failed: {output.Trim()}";
        if (output.Trim() != "active") return $"the engine's swarm is '{output.Trim()}'";
        (code, _) = await RunAsync("image", "inspect", "portal/notebook-base:latest");
        return code == 0 ? null : "portal/notebook-base:latest is missing (deploy/images/notebook-base/build.sh)";
    });

    public static async Task RequireSwarmAsync()
    {
        if (await Problem.Value is not { } problem) return;
        var reason = $"SWARM E2E SKIPPED: {problem}. Run scripts/test.sh as root (it runs scripts/ensure-docker.sh).";
        TestEnvironment.Missing(reason);
    }

    /// <summary>
    /// Workloads outlive the portal that started them (by design: a restarted portal re-attaches), so a test's
    /// portal leaves its swarm services behind; this removes those that mount anything under the test's folder.
    /// </summary>
    public static async Task RemoveServicesMountingAsync(string root)
    {
        if (!File.Exists("/var/run/docker.sock")) return;
        var (code, ids) = await RunAsync("service", "ls", "-q", "--filter", "label=io.mlops-portal.owner=mlops-portal");
        if (code != 0) return;
        foreach (var id in ids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (_, mounts) = await RunAsync("service", "inspect", "--format", "{{range .Spec.TaskTemplate.ContainerSpec.Mounts}}{{.Source}}\n{{end}}", id);
            if (mounts.Split('\n').Any(m => m.StartsWith(root, StringComparison.Ordinal))) await RunAsync("service", "rm", id);
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("docker", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = await p.StandardOutput.ReadToEndAsync();
            var error = await p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            return (p.ExitCode, output + error);
        }
        catch (System.ComponentModel.Win32Exception) { return (-1, "the docker CLI is not installed"); }
    }
}
