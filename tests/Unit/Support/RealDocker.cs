using Portal.Tests.Shared;
using Portal.Orchestration.Builds;
using Portal.Orchestration.Docker;

namespace Portal.Tests.Unit.Support;

/// <summary>
/// The real dockerd in swarm mode that scripts/test.sh starts. Tests skip loudly where it is missing and fail
/// under CI=true. Test images are built here from busybox-static, with the portal's own build client.
/// </summary>
public static class RealDocker
{
    public const string Socket = "unix:/var/run/docker.sock";
    public const string BusyboxImage = "portal-test/busybox:1";

    private static readonly SemaphoreSlim BuildLock = new(1, 1);
    private static readonly Lazy<Task<string?>> Problem = new(async () =>
    {
        if (!File.Exists("/var/run/docker.sock")) return "/var/run/docker.sock does not exist (dockerd is not running)";
        using var client = Client();
        try
        {
            var info = await client.InfoAsync(CancellationToken.None);
            if (info.Swarm?.LocalNodeState != "active") return $"dockerd runs but its swarm is '{info.Swarm?.LocalNodeState}'";
        }
        catch (Exception e) { return e.Message; }
        if (!File.Exists("/bin/busybox")) return "/bin/busybox is missing (apt-get install busybox-static)";
        return null;
    });

    public static DockerEngine Client() => new(Socket, TimeSpan.FromSeconds(30));

    public static Portal.Core.Configuration.PortalConfig Config(string type)
    {
        var config = new Portal.Core.Configuration.PortalConfig();
        config.ContainerManager.Type = type;
        return config;
    }

    /// <summary>A manager of <paramref name="type"/> composed as the portal does (work network, container user), on the defaults.</summary>
    public static Portal.Core.Containers.IContainerManager Manager(DockerEngine docker, string type, string dataDir = "/tmp/portal-tests-data")
    {
        var config = Config(type);
        config.Store.DataDir = dataDir;
        var paths = Portal.Core.Configuration.PortalPaths.From(config, "/tmp");
        var (network, user) = (new WorkNetwork(docker, config), new Portal.Orchestration.Containers.ContainerUser(config, paths));
        return type == "swarm"
            ? new Portal.Orchestration.Swarm.SwarmManager(docker, network, user)
            : new Portal.Orchestration.Containers.DockerContainerManager(docker, network, user);
    }

    public static async Task RequireAsync()
    {
        if (await Problem.Value is not { } problem) return;
        var reason = $"DOCKER TESTS SKIPPED: {problem}. Run scripts/test.sh as root: it installs docker.io and busybox-static, starts dockerd and inits the swarm.";
        TestEnvironment.Missing(reason);
    }

    /// <summary>The notebook base image that scripts/ensure-docker.sh builds (deploy/images/notebook-base/build.sh).</summary>
    public static async Task RequireNotebookBaseAsync()
    {
        await RequireAsync();
        using var client = Client();
        if (await client.ImageIdAsync("portal/notebook-base:latest", CancellationToken.None) is not null) return;
        var reason = "DOCKER TRAINING TESTS SKIPPED: portal/notebook-base:latest is missing. Run scripts/ensure-docker.sh (as root) or deploy/images/notebook-base/build.sh.";
        TestEnvironment.Missing(reason);
    }

    /// <summary>An image holding only busybox, built once per host (FROM scratch, so nothing is pulled).</summary>
    public static async Task<string> BusyboxAsync()
    {
        await BuildLock.WaitAsync();
        try
        {
            using var client = Client();
            if (await client.ImageIdAsync(BusyboxImage, CancellationToken.None) is not null) return BusyboxImage;
            using var dir = new TempDir();
            Directory.CreateDirectory(Path.Combine(dir.Path, "bin"));
            File.Copy("/bin/busybox", Path.Combine(dir.Path, "bin", "busybox"));
            dir.File("Dockerfile", "FROM scratch\nCOPY bin/busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\nCMD [\"/bin/sh\"]\n");
            await using var context = BuildContext.Open(dir.Path, CancellationToken.None);
            await client.BuildImageAsync(context, BusyboxImage, "Dockerfile", _ => Task.CompletedTask, CancellationToken.None);
            return BusyboxImage;
        }
        finally { BuildLock.Release(); }
    }
}
