using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Builds;

/// <summary>Project builds through the API on the Swarm manager: the real dockerd builds, real git clones.</summary>
public sealed class ProjectBuildTests
{
    private static async Task<JsonElement> WaitForBuildAsync(HttpClient http, string id, int seconds = 120)
    {
        for (var i = 0; i < seconds * 4; i++)
        {
            var run = await http.GetFromJsonAsync<JsonElement>($"/api/v1/builds/{id}");
            if (run.GetProperty("state").GetString() != "RUNNING") return run;
            await Task.Delay(250);
        }
        throw new TimeoutException($"build {id} did not end in {seconds} s");
    }

    internal static async Task<JsonElement> BuildAsync(HttpClient http, string project, object request)
    {
        var response = await http.PostAsJsonAsync($"/api/v1/projects/{project}/builds", request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var run = await response.Content.ReadFromJsonAsync<JsonElement>();
        return await WaitForBuildAsync(http, run.GetProperty("id").GetString()!);
    }

    internal static async Task<string> GitAsync(string dir, params string[] args)
    {
        var start = new ProcessStartInfo("git", ["-c", "user.name=Test", "-c", "user.email=test@example.org", .. args]) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(start)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        var error = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"git {string.Join(' ', args)}: {error}");
        return output.Trim();
    }

    [SkippableFact]
    public async Task A_home_directory_build_records_its_version_with_the_image_and_keeps_the_log()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        await using var portal = await RealPortalHost.StartAsync(manager: "swarm");
        var marker = Guid.NewGuid().ToString("N");
        var home = Path.Combine(portal.Dir.Path, "home");
        portal.Dir.File("home/Dockerfile", $"FROM {RealDocker.BusyboxImage}\nCOPY . /app\nRUN echo built {marker}\n");
        portal.Dir.File("home/train.ipynb", "{}");
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "homebuilt", home_dir = home })).EnsureSuccessStatusCode();

        var run = await BuildAsync(portal.Http, "homebuilt", new { tag = "v1" });
        Assert.Equal("SUCCEEDED", run.GetProperty("state").GetString());
        Assert.Equal("portal/homebuilt:v1", run.GetProperty("image").GetString());

        using var docker = RealDocker.Client();
        var imageId = await docker.ImageIdAsync("portal/homebuilt:v1", CancellationToken.None);
        var version = Assert.Single(await portal.Http.GetFromJsonAsync<JsonElement[]>("/api/v1/projects/homebuilt/builds") ?? []);
        Assert.Equal("v1", version.GetProperty("tag").GetString());
        Assert.Equal(imageId, version.GetProperty("docker_id").GetString());
        Assert.Equal("home_dir", version.GetProperty("built_from").GetString());

        var log = await portal.Http.GetStringAsync("/api/v1/projects/homebuilt/builds/v1/log");
        Assert.Contains($"built {marker}", log);
        Assert.Contains("Recorded build version 'v1'", log);

        // A rebuild of the tag replaces its version instead of adding one.
        portal.Dir.File("home/Dockerfile", $"FROM {RealDocker.BusyboxImage}\nRUN echo rebuilt {marker}\n");
        Assert.Equal("SUCCEEDED", (await BuildAsync(portal.Http, "homebuilt", new { tag = "v1" })).GetProperty("state").GetString());
        var after = Assert.Single(await portal.Http.GetFromJsonAsync<JsonElement[]>("/api/v1/projects/homebuilt/builds") ?? []);
        Assert.NotEqual(imageId, after.GetProperty("docker_id").GetString());
    }

    [SkippableFact]
    public async Task With_a_target_registry_a_build_is_pushed_there_for_every_node_to_pull()
    {
        await RealDocker.RequireAsync();
        PrivateRegistry.Require();
        await RealDocker.BusyboxAsync();
        await using var registry = await PrivateRegistry.StartOpenAsync();
        await using var portal = await RealPortalHost.StartAsync($"docker:\n  target_registry: {registry.Host}\n", manager: "swarm");
        portal.Dir.File("home/Dockerfile", $"FROM {RealDocker.BusyboxImage}\nRUN echo pushed\n");
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "pushed", home_dir = Path.Combine(portal.Dir.Path, "home") })).EnsureSuccessStatusCode();

        var run = await BuildAsync(portal.Http, "pushed", new { tag = "v1" });
        Assert.True(run.GetProperty("state").GetString() == "SUCCEEDED", run.ToString());
        Assert.Equal($"{registry.Host}/portal/pushed:v1", run.GetProperty("image").GetString());
        using var http = new HttpClient();
        var tags = await http.GetFromJsonAsync<JsonElement>($"http://{registry.Host}/v2/portal/pushed/tags/list");
        Assert.Equal("v1", Assert.Single(tags.GetProperty("tags").EnumerateArray()).GetString());
        Assert.Contains($"Pushed {registry.Host}/portal/pushed:v1@sha256:", await portal.Http.GetStringAsync("/api/v1/projects/pushed/builds/v1/log"));
    }

    [SkippableFact]
    public async Task A_git_build_checks_out_the_ref_and_records_its_commit()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        await using var portal = await RealPortalHost.StartAsync(manager: "swarm");
        var repo = Path.Combine(portal.Dir.Path, "repo");
        Directory.CreateDirectory(repo);
        await GitAsync(repo, "init", "-q", "-b", "main");
        portal.Dir.File("repo/Dockerfile", $"FROM {RealDocker.BusyboxImage}\nCOPY version.txt /version.txt\nRUN cat /version.txt\n");
        portal.Dir.File("repo/version.txt", $"first {Guid.NewGuid():N}");
        await GitAsync(repo, "add", ".");
        await GitAsync(repo, "commit", "-q", "-m", "first");
        await GitAsync(repo, "tag", "release-1");
        var first = await GitAsync(repo, "rev-parse", "HEAD");
        portal.Dir.File("repo/version.txt", "second");
        await GitAsync(repo, "commit", "-q", "-am", "second");
        var second = await GitAsync(repo, "rev-parse", "HEAD");
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "gitbuilt", git_repo = "file://" + repo })).EnsureSuccessStatusCode();

        var atTag = await BuildAsync(portal.Http, "gitbuilt", new { from = "git", tag = "r1", git_ref = "release-1" });
        Assert.Equal("SUCCEEDED", atTag.GetProperty("state").GetString());
        Assert.Equal(first, atTag.GetProperty("git_version").GetString());
        var atBranch = await BuildAsync(portal.Http, "gitbuilt", new { from = "git", tag = "main", git_ref = "main" });
        Assert.Equal(second, atBranch.GetProperty("git_version").GetString());
        var versions = await portal.Http.GetFromJsonAsync<JsonElement[]>("/api/v1/projects/gitbuilt/builds") ?? [];
        Assert.Equal(first, versions.Single(v => v.GetProperty("tag").GetString() == "r1").GetProperty("git_version").GetString());
        Assert.All(versions, v => Assert.Equal("git", v.GetProperty("built_from").GetString()));

        var missing = await BuildAsync(portal.Http, "gitbuilt", new { from = "git", tag = "nope", git_ref = "no-such-branch" });
        Assert.Equal("FAILED", missing.GetProperty("state").GetString());
        Assert.Contains("'no-such-branch' is neither a branch, a tag nor a commit", missing.GetProperty("message").GetString());
    }

    /// <summary>A bare repository (as a server keeps it) with one commit: a Dockerfile on the test busybox image.</summary>
    private static async Task<string> BareRepositoryAsync(TempDir dir)
    {
        var work = Path.Combine(dir.Path, "work");
        Directory.CreateDirectory(work);
        await GitAsync(work, "init", "-q", "-b", "main");
        dir.File("work/Dockerfile", $"FROM {RealDocker.BusyboxImage}\nRUN echo built from a private repository\n");
        await GitAsync(work, "add", ".");
        await GitAsync(work, "commit", "-q", "-m", "private");
        var bare = Path.Combine(dir.Path, "bare.git");
        await GitAsync(dir.Path, "clone", "-q", "--bare", work, bare);
        return bare;
    }

    [SkippableFact]
    public async Task A_private_repository_is_cloned_with_a_vault_credential_that_never_reaches_the_log()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        await using var portal = await RealPortalHost.StartAsync(manager: "swarm");
        var bare = await BareRepositoryAsync(portal.Dir);
        await GitAsync(bare, "update-server-info");
        const string token = "glpat-PRIVATE-token-8d2e";
        await using var server = await PrivateGitServer.StartAsync(bare, "builder", token);
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "private", git_repo = server.Url })).EnsureSuccessStatusCode();

        var refused = await BuildAsync(portal.Http, "private", new { from = "git", tag = "v1" });
        Assert.Equal("FAILED", refused.GetProperty("state").GetString());
        Assert.Contains("Cloning", refused.GetProperty("message").GetString());

        (await portal.Http.PostAsJsonAsync("/api/v1/credentials", new { name = "private-git", kind = "git", uri = server.Url, details = new { username = "builder" }, secret = token })).EnsureSuccessStatusCode();
        var built = await BuildAsync(portal.Http, "private", new { from = "git", tag = "v1", credential = "private-git" });
        Assert.Equal("SUCCEEDED", built.GetProperty("state").GetString());
        var log = await portal.Http.GetStringAsync("/api/v1/projects/private/builds/v1/log");
        Assert.Contains("with the credential 'private-git'", log);
        Assert.DoesNotContain(token, log);

        // Someone else's credential is not theirs to use, and a credential of the wrong kind is named as such.
        using var olga = new HttpClient { BaseAddress = new Uri(portal.BaseAddress) };
        olga.UseToken(await TestIdentities.TokenAsync(portal.Services, "olga", Portal.Core.Security.Roles.DataScientist));
        Assert.Equal(HttpStatusCode.Forbidden, (await olga.PostAsJsonAsync("/api/v1/projects/private/builds", new { from = "git", credential = "private-git" })).StatusCode);
        (await portal.Http.PostAsJsonAsync("/api/v1/credentials", new { name = "bucket", kind = "s3", details = new { region = "eu-north-1", key_id = "AKIA1" }, secret = "s" })).EnsureSuccessStatusCode();
        var wrongKind = await portal.Http.PostAsJsonAsync("/api/v1/projects/private/builds", new { from = "git", credential = "bucket" });
        Assert.Equal(HttpStatusCode.BadRequest, wrongKind.StatusCode);
        Assert.Contains("S3 credential", await wrongKind.Content.ReadAsStringAsync());

        // Another data scientist points the shared project at a listener of hers: the owner's next build must not send
        // the token there. The credential goes only under the address its owner set on it.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var trap = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/steal.git";
        (await olga.PutAsJsonAsync("/api/v1/projects/private", new { name = "private", git_repo = trap })).EnsureSuccessStatusCode();
        var redirected = await portal.Http.PostAsJsonAsync("/api/v1/projects/private/builds", new { from = "git", tag = "v2", credential = "private-git" });
        Assert.Equal(HttpStatusCode.BadRequest, redirected.StatusCode);
        Assert.Contains($"is for {server.Url}, not for {trap}", await redirected.Content.ReadAsStringAsync());
        await Task.Delay(500);
        Assert.False(listener.Pending(), "the build connected to the listener");
        // Nor does a look-alike host pass for the credential's address.
        Assert.False(Portal.Core.Security.CredentialScope.Covers("https://git.example.com", "https://git.example.com.evil.test/x.git"));
        Assert.True(Portal.Core.Security.CredentialScope.Covers("https://git.example.com", "https://git.example.com/team/x.git"));

        // A repository on the portal's own host is an admin's decision.
        var local = await olga.PostAsJsonAsync("/api/v1/projects", new { name = "hostrepo", git_repo = "file://" + bare });
        Assert.Equal(HttpStatusCode.BadRequest, local.StatusCode);
        Assert.Contains("only an admin may register one", await local.Content.ReadAsStringAsync());
    }

    [SkippableFact]
    public async Task A_repository_over_ssh_is_cloned_with_the_private_key_from_the_vault()
    {
        SshGitServer.Require();
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        await using var portal = await RealPortalHost.StartAsync(manager: "swarm");
        var bare = await BareRepositoryAsync(portal.Dir);
        await using var ssh = await SshGitServer.StartAsync();
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "overssh", git_repo = ssh.UrlOf(bare) })).EnsureSuccessStatusCode();

        var refused = await BuildAsync(portal.Http, "overssh", new { from = "git", tag = "v1" });
        Assert.Equal("FAILED", refused.GetProperty("state").GetString());
        Assert.True(refused.GetProperty("message").GetString()!.Contains("Host key verification failed") || refused.GetProperty("message").GetString()!.Contains("Permission denied"), refused.ToString());

        (await portal.Http.PostAsJsonAsync("/api/v1/credentials", new { name = "deploy-key", kind = "git", uri = ssh.UrlOf(bare), secret = ssh.ClientKey })).EnsureSuccessStatusCode();
        var built = await BuildAsync(portal.Http, "overssh", new { from = "git", tag = "v1", credential = "deploy-key" });
        Assert.True(built.GetProperty("state").GetString() == "SUCCEEDED", built.ToString());
        Assert.DoesNotContain("PRIVATE KEY", await portal.Http.GetStringAsync("/api/v1/projects/overssh/builds/v1/log"));
        // The key was written for the clone only: no key file is left behind.
        Assert.DoesNotContain(Directory.GetDirectories(Path.GetTempPath(), "portal-git-*"), d => File.Exists(Path.Combine(d, "key")));
    }

    [SkippableFact]
    public async Task A_pre_built_image_of_a_private_registry_is_pulled_with_the_login_from_the_vault()
    {
        PrivateRegistry.Require();
        await RealDocker.RequireAsync();
        var source = await RealDocker.BusyboxAsync();
        const string password = "registry-PASS-77c1";
        await using var registry = await PrivateRegistry.StartAsync("puller", password, source, "private/busy", "1");
        await using var portal = await RealPortalHost.StartAsync(manager: "swarm");
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "privimg", docker_repo = $"{registry.Host}/private/busy" })).EnsureSuccessStatusCode();

        var refused = await BuildAsync(portal.Http, "privimg", new { from = "docker", tag = "1" });
        Assert.Equal("FAILED", refused.GetProperty("state").GetString());
        Assert.Contains("Pulling", refused.GetProperty("message").GetString());

        (await portal.Http.PostAsJsonAsync("/api/v1/credentials", new { name = "registry", kind = "docker", uri = registry.Host, details = new { username = "puller" }, secret = password })).EnsureSuccessStatusCode();
        var pulled = await BuildAsync(portal.Http, "privimg", new { from = "docker", tag = "1", credential = "registry" });
        Assert.True(pulled.GetProperty("state").GetString() == "SUCCEEDED", pulled.ToString());
        Assert.DoesNotContain(password, await portal.Http.GetStringAsync("/api/v1/projects/privimg/builds/1/log"));
        using var docker = RealDocker.Client();
        Assert.NotNull(await docker.ImageIdAsync($"{registry.Host}/private/busy:1", CancellationToken.None));
        await Portal.Tests.Shared.TestEnvironment.RunAsync("docker", null, "rmi", $"{registry.Host}/private/busy:1");
    }


    [SkippableFact]
    public async Task A_failing_build_records_nothing_and_says_why_and_bad_requests_name_the_field()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        await using var portal = await RealPortalHost.StartAsync(manager: "swarm");
        var home = Path.Combine(portal.Dir.Path, "home");
        portal.Dir.File("home/Dockerfile", $"FROM {RealDocker.BusyboxImage}\nRUN echo about to fail && exit 7\n");
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "broken", home_dir = home })).EnsureSuccessStatusCode();

        var run = await BuildAsync(portal.Http, "broken", new { tag = "v1" });
        Assert.Equal("FAILED", run.GetProperty("state").GetString());
        Assert.Contains("The image build failed", run.GetProperty("message").GetString());
        Assert.Contains("7", run.GetProperty("message").GetString());
        Assert.Empty(await portal.Http.GetFromJsonAsync<JsonElement[]>("/api/v1/projects/broken/builds") ?? []);
        var log = await portal.Http.GetStringAsync($"/api/v1/builds/{run.GetProperty("id").GetString()}/log");
        Assert.Contains("about to fail", log);

        async Task<JsonElement> ProblemAsync(object body)
        {
            var response = await portal.Http.PostAsJsonAsync("/api/v1/projects/broken/builds", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        }
        Assert.Contains("'a b'", (await ProblemAsync(new { tag = "a b" })).GetProperty("tag")[0].GetString());
        Assert.Contains("no git repository", (await ProblemAsync(new { from = "git" })).GetProperty("from")[0].GetString());
        Assert.Contains("no docker repository", (await ProblemAsync(new { from = "docker" })).GetProperty("from")[0].GetString());
        Assert.Contains("There is no docker/Dockerfile", (await ProblemAsync(new { dockerfile = "docker/Dockerfile" })).GetProperty("dockerfile")[0].GetString());
        Assert.Contains("inside the project", (await ProblemAsync(new { dockerfile = "../Dockerfile" })).GetProperty("dockerfile")[0].GetString());
        Assert.Contains("not a build source", (await ProblemAsync(new { from = "ftp" })).GetProperty("from")[0].GetString());
    }

    [SkippableFact]
    public async Task A_pre_built_image_on_the_host_is_taken_and_a_missing_one_fails_with_the_pull_error()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        await using var portal = await RealPortalHost.StartAsync(manager: "swarm");
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "prebuilt", docker_repo = "portal-test/busybox" })).EnsureSuccessStatusCode();

        var run = await BuildAsync(portal.Http, "prebuilt", new { from = "docker", tag = "1" });
        Assert.Equal("SUCCEEDED", run.GetProperty("state").GetString());
        using var docker = RealDocker.Client();
        Assert.Equal(await docker.ImageIdAsync(RealDocker.BusyboxImage, CancellationToken.None), run.GetProperty("docker_id").GetString());

        var missing = await BuildAsync(portal.Http, "prebuilt", new { from = "docker", tag = "never-pushed" });
        Assert.Equal("FAILED", missing.GetProperty("state").GetString());
        Assert.StartsWith("Pulling portal-test/busybox:never-pushed failed", missing.GetProperty("message").GetString());
    }

    [SkippableFact]
    public async Task On_embedded_defaults_a_build_uses_the_docker_engine_of_the_host_when_one_answers()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        await using var portal = await RealPortalHost.StartAsync();
        var marker = Guid.NewGuid().ToString("N");
        portal.Dir.File("home/Dockerfile", $"FROM {RealDocker.BusyboxImage}\nRUN echo built {marker}\n");
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "localbuilt", home_dir = Path.Combine(portal.Dir.Path, "home") })).EnsureSuccessStatusCode();
        var run = await BuildAsync(portal.Http, "localbuilt", new { tag = "v1" });
        Assert.Equal("SUCCEEDED", run.GetProperty("state").GetString());
        using var docker = RealDocker.Client();
        Assert.NotNull(await docker.ImageIdAsync("portal/localbuilt:v1", CancellationToken.None));
        Assert.Contains($"built {marker}", await portal.Http.GetStringAsync("/api/v1/projects/localbuilt/builds/v1/log"));
    }

    [Fact]
    public async Task On_embedded_defaults_without_an_engine_a_build_is_refused_before_it_starts_saying_what_to_do()
    {
        await using var portal = await RealPortalHost.StartAsync("docker:\n  daemon_address: unix:/tmp/no-docker-here.sock\n");
        portal.Dir.File("home/Dockerfile", "FROM scratch\n");
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "localonly", home_dir = Path.Combine(portal.Dir.Path, "home") })).EnsureSuccessStatusCode();
        var refused = await portal.Http.PostAsJsonAsync("/api/v1/projects/localonly/builds", new { });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var body = await refused.Content.ReadAsStringAsync();
        Assert.Contains("none answers at unix:/tmp/no-docker-here.sock", body);
        Assert.Contains("Start dockerd on this host, or set container_manager.type: swarm", body);
        Assert.Empty(await portal.Http.GetFromJsonAsync<JsonElement[]>("/api/v1/projects/localonly/builds") ?? []);
    }
}
