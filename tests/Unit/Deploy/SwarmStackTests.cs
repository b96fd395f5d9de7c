using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Portal.Tests.Shared;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Deploy;

/// <summary>
/// The Swarm install of the README, for real: the portal's image built by deploy/portal/build.sh (on the notebook base
/// image, since Docker Hub is out of reach here), deployed with deploy/swarm/portal-stack.yml, healthy, reachable with a
/// token made inside its container, and managing the swarm it runs on through the mounted socket.
/// </summary>
public sealed partial class SwarmStackTests
{
    [SkippableFact]
    public async Task The_portal_image_runs_as_a_swarm_stack_and_manages_the_swarm_it_runs_on()
    {
        await RealDocker.RequireNotebookBaseAsync();
        await RealDocker.BusyboxAsync();
        const string tag = "portal-test/portal:stack";
        var stack = $"portal-test-stack-{Guid.NewGuid().ToString("N")[..6]}";
        await TestEnvironment.RunAsync("bash", null, Path.Combine(RepoRoot.Path, "deploy", "portal", "build.sh"), tag, "portal/notebook-base:latest");
        using var data = new TempDir();
        var port = TestEnvironment.FreePort();
        // The README's one-time step: the overlay work runs on (other tests' portals may have made it already).
        try { await RunAsync(NoEnv, "network", "create", "--driver", "overlay", "--attachable", "portal-work"); }
        catch (InvalidOperationException e) when (e.Message.Contains("already exists", StringComparison.Ordinal)) { }
        await RunAsync(new Dictionary<string, string>
        {
            ["PORTAL_IMAGE"] = tag, ["PORTAL_PORT"] = port.ToString(), ["PORTAL_IDE_PORT"] = TestEnvironment.FreePort().ToString(),
            ["PORTAL_DATA"] = data.Path, ["PORTAL_ADMIN_PASSWORD"] = "stack-Passw0rd-1",
        }, "stack", "deploy", "-c", Path.Combine(RepoRoot.Path, "deploy", "swarm", "portal-stack.yml"), stack);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            var healthy = false;
            for (var i = 0; i < 120 && !healthy; i++)
            {
                try { healthy = (await http.GetStringAsync("/healthz")) == "Healthy"; }
                catch (HttpRequestException) { await Task.Delay(1000); }
            }
            Assert.True(healthy, "the stack's portal did not answer /healthz within 2 minutes");
            Assert.True(File.Exists(Path.Combine(data.Path, "portal.db")), "the metadata store lives in the bound data directory");

            var container = (await RunAsync(NoEnv, "ps", "-q", "--filter", $"label=com.docker.swarm.service.name={stack}_portal")).Trim().Split('\n')[0];
            var issued = await RunAsync(NoEnv, "exec", container, "/opt/portal/Portal.Web", "issue-token", "admin", "stack-test", "1");
            http.DefaultRequestHeaders.Authorization = new("Bearer", Token().Match(issued).Value);
            Assert.Equal("admin", (await http.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("name").GetString());
            var engine = await (await http.PostAsync("/api/v1/settings/test-connection", null)).Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(engine.GetProperty("ready").GetBoolean(), engine.ToString());
            Assert.Equal("swarm", engine.GetProperty("type").GetString());
            Assert.Contains("swarm active", engine.GetProperty("summary").GetString());

            // Work on the overlay reaches the portal at container_manager.portal_url (its alias on the overlay), not through the host.
            var probe = $"{stack}-probe";
            await RunAsync(NoEnv, "service", "create", "--detach", "--name", probe, "--network", "portal-work", "--restart-condition", "none",
                RealDocker.BusyboxImage, "sh", "-c", "for i in $(seq 1 45); do wget -qO- http://mlops-portal:8080/healthz 2>/dev/null && break; sleep 2; done; echo; echo probe-done");
            var said = "";
            // The name resolves once the portal's task is healthy (its first health check, up to 30 s after the start).
            for (var i = 0; i < 120 && !said.Contains("probe-done"); i++)
            {
                await Task.Delay(1000);
                said = await RunAsync(NoEnv, "service", "logs", "--raw", probe);
            }
            await RunAsync(NoEnv, "service", "rm", probe);
            Assert.Contains("Healthy", said);
        }
        finally
        {
            await RunAsync(NoEnv, "stack", "rm", stack);
            for (var i = 0; i < 30 && (await RunAsync(NoEnv, "ps", "-aq", "--filter", $"label=com.docker.stack.namespace={stack}")).Trim().Length > 0; i++) await Task.Delay(1000);
        }
    }

    private static readonly Dictionary<string, string> NoEnv = [];

    private static async Task<string> RunAsync(IReadOnlyDictionary<string, string> env, params string[] args)
    {
        var info = new ProcessStartInfo("docker", args) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in env) info.Environment[key] = value;
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"docker {string.Join(' ', args)} failed: {await error}");
        return await output;
    }

    [GeneratedRegex("pat_[A-Za-z0-9_-]+")]
    private static partial Regex Token();
}
