using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Packages;

/// <summary>
/// Model versions packaged into images (Odahu's docker-rest and docker-cli packagers) by a real portal on the real
/// engine, then run with plain <c>docker run</c>, outside the portal.
/// </summary>
public sealed class PackageTests
{

    [SkippableFact]
    public async Task The_iris_version_packaged_as_rest_and_as_cli_predicts_from_plain_docker_run()
    {
        RealPython.Require();
        await RealDocker.RequireNotebookBaseAsync();
        await using var portal = await RealPortalHost.StartAsync();
        var http = portal.Http;
        // The project's home: the iris example, plus a link to a file outside it, which must not reach any image.
        var home = Path.Combine(portal.Dir.Path, "iris-home");
        Directory.CreateDirectory(home);
        foreach (var file in Directory.GetFiles(IrisDir)) File.Copy(file, Path.Combine(home, Path.GetFileName(file)));
        var secret = Path.Combine(portal.Dir.Path, "portal-secret.txt");
        await File.WriteAllTextAsync(secret, "the portal's secret");
        File.CreateSymbolicLink(Path.Combine(home, "leak.txt"), secret);
        // A named pipe nobody writes to: reading it would block the packaging for good.
        using (var mkfifo = Process.Start("mkfifo", [Path.Combine(home, "pipe")])!)
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        (await http.PostAsJsonAsync("/api/v1/models", new { name = "iris-clf" })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/api/v1/projects", new { name = "iris", home_dir = home, models = new[] { "iris-clf" } })).EnsureSuccessStatusCode();
        await UploadIrisVersionAsync(portal);

        var rest = await PackageAsync(http, new { model_version = "iris-clf/1", project = "iris", entry = "predict.py", kind = "rest" });
        var cli = await PackageAsync(http, new { name = "iris-batch", model_version = "iris-clf/1", project = "iris", entry = "predict.py", kind = "cli" });
        // The same code from a git repository: the tag release-1 has it; the branch's head no longer does.
        var repo = Path.Combine(portal.Dir.Path, "iris-repo");
        Directory.CreateDirectory(repo);
        foreach (var file in Directory.GetFiles(IrisDir)) File.Copy(file, Path.Combine(repo, Path.GetFileName(file)));
        await Builds.ProjectBuildTests.GitAsync(repo, "init", "-q", "-b", "main");
        await Builds.ProjectBuildTests.GitAsync(repo, "add", ".");
        await Builds.ProjectBuildTests.GitAsync(repo, "commit", "-q", "-m", "iris");
        await Builds.ProjectBuildTests.GitAsync(repo, "tag", "release-1");
        var released = await Builds.ProjectBuildTests.GitAsync(repo, "rev-parse", "HEAD");
        await Builds.ProjectBuildTests.GitAsync(repo, "rm", "-q", "predict.py");
        await Builds.ProjectBuildTests.GitAsync(repo, "commit", "-q", "-m", "moved");
        (await http.PostAsJsonAsync("/api/v1/projects", new { name = "iris-git", git_repo = "file://" + repo, models = new[] { "iris-clf" } })).EnsureSuccessStatusCode();
        var fromGit = await PackageAsync(http, new { name = "iris-git-batch", model_version = "iris-clf/1", project = "iris-git", entry = "predict.py", kind = "cli", git_ref = "release-1" });
        Assert.Equal((released, "release-1"), (fromGit.GetProperty("git_commit").GetString(), fromGit.GetProperty("git_ref").GetString()));
        var atHead = await http.PostAsJsonAsync("/api/v1/packages", new { name = "iris-git-head", model_version = "iris-clf/1", project = "iris-git", entry = "predict.py" });
        Assert.Equal(HttpStatusCode.Accepted, atHead.StatusCode);
        var failed = await WaitForEndAsync(http, atHead.Headers.Location!.ToString());
        Assert.Equal("FAILED", failed.GetProperty("state").GetString());
        Assert.Contains("There is no 'predict.py' in the prediction code", failed.GetProperty("message").GetString());
        Assert.Equal("iris-clf-1-rest", rest.GetProperty("name").GetString());
        Assert.Matches("^sha256:[0-9a-f]{64}$", rest.GetProperty("image_id").GetString());
        var log = await http.GetStringAsync("/api/v1/packages/iris-clf-1-rest/log");
        Assert.Contains("1 links left out", log);
        var restImage = rest.GetProperty("image").GetString()!;
        var cliImage = cli.GetProperty("image").GetString()!;
        var gitImage = fromGit.GetProperty("image").GetString()!;
        try
        {
            // The local manager runs host processes: it cannot run the package's image, and says so.
            var onLocal = await http.PostAsJsonAsync("/api/v1/deployments", new { name = "iris-pkg", package = "iris-clf-1-rest" });
            Assert.Equal(HttpStatusCode.BadRequest, onLocal.StatusCode);
            Assert.Contains("runs processes, not images", await onLocal.Content.ReadAsStringAsync());

            Assert.DoesNotContain("leak.txt", await DockerAsync("run", "--rm", "--entrypoint", "ls", restImage, "-a", "/opt/model/code"));

            var container = (await DockerAsync("run", "-d", "-p", "127.0.0.1::8080", restImage)).Trim();
            try
            {
                var port = (await DockerAsync("port", container, "8080/tcp")).Trim().Split('\n')[0].Split(':')[^1];
                using var model = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
                await WaitForHealthAsync(model, container);
                var answer = await model.PostAsJsonAsync("/api/model/invoke", new { columns = Columns, data = new[] { new[] { 5.1, 3.5, 1.4, 0.2 }, new[] { 6.7, 3.0, 5.2, 2.3 } } });
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
                var body = await answer.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal(["setosa", "virginica"], body.GetProperty("prediction").EnumerateArray().Select(r => r[0].GetString()));
                var info = await model.GetFromJsonAsync<JsonElement>("/api/model/info");
                Assert.Equal(("iris-clf", "1"), (info.GetProperty("model").GetString(), info.GetProperty("version").GetString()));
            }
            finally { await DockerAsync("rm", "-f", container); }

            // The cli image scores a file it is given and writes its predictions next to it.
            var data = Path.Combine(portal.Dir.Path, "batch");
            Directory.CreateDirectory(data);
            await File.WriteAllTextAsync(Path.Combine(data, "rows.csv"), string.Join(',', Columns) + "\n5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n5.9,3.0,4.2,1.5\n");
            File.SetUnixFileMode(data, (UnixFileMode)0b111_111_111);
            var output = await DockerAsync("run", "--rm", "-v", $"{data}:/data", cliImage, "/data/rows.csv", "/data/scored.csv");
            Assert.Contains("3 predictions", output);
            Assert.Equal(["species", "setosa", "virginica", "versicolor"], (await File.ReadAllLinesAsync(Path.Combine(data, "scored.csv"))).Where(l => l.Length > 0));
            Assert.Contains("3 predictions", await DockerAsync("run", "--rm", "-v", $"{data}:/data", gitImage, "/data/rows.csv", "/data/scored-git.csv"));
            Assert.Equal(await File.ReadAllLinesAsync(Path.Combine(data, "scored.csv")), await File.ReadAllLinesAsync(Path.Combine(data, "scored-git.csv")));
        }
        finally
        {
            await DockerAsync("rmi", "-f", restImage, cliImage, gitImage);
        }
    }

    [SkippableFact]
    public async Task A_package_is_pushed_to_a_private_registry_with_the_owners_credential_and_only_there()
    {
        RealPython.Require();
        PrivateRegistry.Require();
        await RealDocker.RequireNotebookBaseAsync();
        await using var registry = await PrivateRegistry.StartAsync("pusher", "s3cret-push", await RealDocker.BusyboxAsync(), "seed", "1");
        // The examples folder is opened to users, so that another data scientist's request gets as far as the credential.
        // The registry is opened to users, so that another data scientist's request gets as far as the credential.
        await using var portal = await RealPortalHost.StartAsync(
            $"security:\n  host_paths: [{Path.GetDirectoryName(IrisDir)}]\n  push_registries: [{registry.Host}]\n");
        var http = portal.Http;
        (await http.PostAsJsonAsync("/api/v1/models", new { name = "iris-clf" })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/api/v1/projects", new { name = "iris", home_dir = IrisDir, models = new[] { "iris-clf" } })).EnsureSuccessStatusCode();
        await UploadIrisVersionAsync(portal);
        (await http.PostAsJsonAsync("/api/v1/credentials", new { name = "registry", kind = "docker", uri = registry.Host, details = new { username = "pusher" }, secret = "s3cret-push" }))
            .EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/api/v1/credentials", new { name = "elsewhere", kind = "docker", uri = "registry.example.com", details = new { username = "pusher" }, secret = "s3cret-push" }))
            .EnsureSuccessStatusCode();

        // A credential goes only to the address its owner set on it, and only its owner may use it.
        var misdirected = await http.PostAsJsonAsync("/api/v1/packages", new { model_version = "iris-clf/1", project = "iris", entry = "predict.py", registry = registry.Host, credential = "elsewhere" });
        Assert.Equal(HttpStatusCode.BadRequest, misdirected.StatusCode);
        Assert.Contains("is for registry.example.com", await misdirected.Content.ReadAsStringAsync());
        using var olga = new HttpClient { BaseAddress = new Uri(portal.BaseAddress) };
        olga.UseToken(await TestIdentities.TokenAsync(portal.Services, "olga", Portal.Core.Security.Roles.DataScientist));
        var borrowed = await olga.PostAsJsonAsync("/api/v1/packages", new { model_version = "iris-clf/1", project = "iris", entry = "predict.py", registry = registry.Host, credential = "registry" });
        Assert.True(borrowed.StatusCode == HttpStatusCode.Forbidden, await borrowed.Content.ReadAsStringAsync());
        // Only the opened registry: not another port of the same host.
        var elsewhere = await olga.PostAsJsonAsync("/api/v1/packages", new { model_version = "iris-clf/1", project = "iris", entry = "predict.py", registry = registry.Host + "0" });
        Assert.Contains("not a registry an admin opened to users", await elsewhere.Content.ReadAsStringAsync());

        var pushed = await PackageAsync(http, new { model_version = "iris-clf/1", project = "iris", entry = "predict.py", registry = $"{registry.Host}/team", credential = "registry" });
        var image = pushed.GetProperty("image").GetString()!;
        var digest = pushed.GetProperty("digest").GetString()!;
        Assert.Equal($"{registry.Host}/team/portal/package-iris-clf-1-rest:1", image);
        Assert.Matches("^sha256:[0-9a-f]{64}$", digest);
        var log = await http.GetStringAsync("/api/v1/packages/iris-clf-1-rest/log");
        Assert.Contains("with the credential 'registry'", log);
        Assert.DoesNotContain("s3cret-push", log);
        try
        {
            // The registry itself holds the image under that digest.
            using var client = new HttpClient { BaseAddress = new Uri($"http://{registry.Host}") };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("pusher:s3cret-push"u8.ToArray()));
            var manifest = new HttpRequestMessage(HttpMethod.Head, "/v2/team/portal/package-iris-clf-1-rest/manifests/1");
            manifest.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
            var found = await client.SendAsync(manifest);
            Assert.Equal(HttpStatusCode.OK, found.StatusCode);
            Assert.Equal(digest, found.Headers.GetValues("Docker-Content-Digest").Single());
        }
        finally { await DockerAsync("rmi", "-f", image); }
    }

    [SkippableFact]
    public async Task A_rest_package_is_deployed_on_swarm_behind_the_router_and_in_lineage()
    {
        RealPython.Require();
        await RealDocker.RequireNotebookBaseAsync();
        await using var portal = await RealPortalHost.StartAsync($"security:\n  host_paths: [{Path.GetDirectoryName(IrisDir)}]\n", manager: "swarm");
        var http = portal.Http;
        (await http.PostAsJsonAsync("/api/v1/models", new { name = "iris-clf" })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/api/v1/projects", new { name = "iris", home_dir = IrisDir, models = new[] { "iris-clf" } })).EnsureSuccessStatusCode();
        await UploadIrisVersionAsync(portal);
        var rest = await PackageAsync(http, new { model_version = "iris-clf/1", project = "iris", entry = "predict.py", kind = "rest" });
        var cli = await PackageAsync(http, new { name = "iris-batch", model_version = "iris-clf/1", project = "iris", entry = "predict.py", kind = "cli" });
        try
        {
            foreach (var (request, field, says) in new (object, string, string)[]
                     {
                         (new { name = "d1", package = "iris-batch" }, "package", "is a cli package"),
                         (new { name = "d2", package = "nope" }, "package", "There is no package named 'nope'"),
                         (new { name = "d3", package = "iris-clf-1-rest", port = 9000 }, "port", "serves on port 8080"),
                         (new { name = "d4", package = "iris-clf-1-rest", model_version = "iris-clf/2" }, "model_version", "serves iris-clf/1"),
                         (new { name = "d5", package = "iris-clf-1-rest", build_tag = "v1" }, "build_tag", "brings its own image"),
                     })
            {
                var refused = await http.PostAsJsonAsync("/api/v1/deployments", request);
                Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, await refused.Content.ReadAsStringAsync());
                var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
                Assert.Contains(says, errors.GetProperty(field)[0].GetString());
            }
            Assert.Equal(0, (await http.GetFromJsonAsync<JsonElement>("/api/v1/deployments")).GetProperty("total").GetInt32());

            var created = await http.PostAsJsonAsync("/api/v1/deployments", new { name = "iris-pkg", package = "iris-clf-1-rest" });
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            await Noronha.NoronhaNotebookTests.WaitUntilHealthyAsync(http, "iris-pkg");
            var answer = await http.PostAsJsonAsync("/model/iris-pkg/api/model/invoke", new { columns = Columns, data = new[] { new[] { 6.7, 3.0, 5.2, 2.3 } } });
            Assert.True(answer.StatusCode == HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
            Assert.Equal("virginica", (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("prediction")[0][0].GetString());
            Assert.True(answer.Headers.Contains("Request-ID"));
            var deployment = await http.GetFromJsonAsync<JsonElement>("/api/v1/deployments/iris-pkg");
            Assert.Equal(("iris-clf-1-rest", "iris-clf/1", "predict.py"),
                (deployment.GetProperty("package").GetString(), deployment.GetProperty("model_version").GetString(), deployment.GetProperty("entry").GetString()));
            // The swarm service runs the package's own image and entrypoint, with no host folder mounted.
            var service = await DockerAsync("service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}} {{json .Spec.TaskTemplate.ContainerSpec.Command}}",
                await WorkloadIdAsync(portal, "iris-pkg"));
            Assert.StartsWith(rest.GetProperty("image").GetString()!, service);
            Assert.DoesNotContain("portal_toolkit.serve", service);

            // Lineage: version → package → deployment, not version → deployment.
            var lineage = await http.GetFromJsonAsync<JsonElement>("/api/v1/lineage/deployment/iris-pkg?depth=2");
            var names = lineage.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("id").GetString()!, n => n.GetProperty("name").GetString()!);
            var edges = lineage.GetProperty("edges").EnumerateArray()
                .Select(e => $"{names[e.GetProperty("source").GetString()!]} -{e.GetProperty("relation").GetString()}-> {names[e.GetProperty("target").GetString()!]}").ToList();
            Assert.Contains("iris-clf/1 -packaged-> iris-clf-1-rest", edges);
            Assert.Contains("iris-clf-1-rest -deployed-> iris-pkg", edges);
            Assert.DoesNotContain("iris-clf/1 -deployed-> iris-pkg", edges);

            // The version is inside the image: no switch; the package cannot go while it is served.
            var switched = await http.PostAsJsonAsync("/api/v1/deployments/iris-pkg/version", new { model_version = "iris-clf/1" });
            Assert.Equal(HttpStatusCode.BadRequest, switched.StatusCode);
            Assert.Contains("serves the package 'iris-clf-1-rest'", await switched.Content.ReadAsStringAsync());
            var removed = await http.DeleteAsync("/api/v1/packages/iris-clf-1-rest");
            Assert.Equal(HttpStatusCode.Conflict, removed.StatusCode);
            Assert.Contains("The deployment 'iris-pkg' serves", await removed.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/api/v1/deployments/iris-pkg")).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/api/v1/packages/iris-clf-1-rest")).StatusCode);
        }
        finally
        {
            await http.DeleteAsync("/api/v1/deployments/iris-pkg");
            await DockerAsync("rmi", "-f", rest.GetProperty("image").GetString()!, cli.GetProperty("image").GetString()!);
        }
    }

    private static async Task<string> WorkloadIdAsync(RealPortalHost portal, string name) =>
        (await portal.Services.GetRequiredService<Portal.Core.Stores.IDeploymentStore>().FindAsync(name, CancellationToken.None))!.WorkloadId!;

    [Fact]
    public async Task A_bad_package_request_is_refused_with_each_field_to_fix()
    {
        await using var portal = await RealPortalHost.StartAsync();
        (await portal.Http.PostAsJsonAsync("/api/v1/models", new { name = "m" })).EnsureSuccessStatusCode();
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "iris", home_dir = IrisDir })).EnsureSuccessStatusCode();
        var refused = await portal.Http.PostAsJsonAsync("/api/v1/packages", new { model_version = "m/9", project = "iris", entry = "../predict.py", kind = "zip" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("not a packager", errors.GetProperty("kind")[0].GetString());
        Assert.Contains("There is no model version 'm/9'", errors.GetProperty("model_version")[0].GetString());
        Assert.Contains("must be a path inside the project", errors.GetProperty("entry")[0].GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await portal.Http.GetAsync("/api/v1/packages/nope")).StatusCode);
        using var viewer = new HttpClient { BaseAddress = new Uri(portal.BaseAddress) };
        viewer.UseToken(await TestIdentities.TokenAsync(portal.Services, "vic", Portal.Core.Security.Roles.Viewer));
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/v1/packages", new { model_version = "m/1", project = "iris", entry = "predict.py" })).StatusCode);

        var mixed = await portal.Http.PostAsJsonAsync("/api/v1/packages", new { model_version = "m/9", project = "iris", entry = "predict.py", code_from = "zip", git_credential = "x" });
        var mixedErrors = (await mixed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("is not a code source", mixedErrors.GetProperty("code_from")[0].GetString());
        // The engine pushes from inside the network: a data scientist may not aim it at an internal address.
        using var dora = new HttpClient { BaseAddress = new Uri(portal.BaseAddress) };
        dora.UseToken(await TestIdentities.TokenAsync(portal.Services, "dora", Portal.Core.Security.Roles.DataScientist));
        var inward = await dora.PostAsJsonAsync("/api/v1/packages", new { model_version = "m/9", project = "iris", entry = "predict.py", registry = "169.254.169.254:80" });
        Assert.Equal(HttpStatusCode.BadRequest, inward.StatusCode);
        Assert.Contains("not a registry an admin opened to users (security.push_registries: none)",
            (await inward.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("registry")[0].GetString());
        // A ref that git would take as an option (--upload-pack runs a command) is no ref.
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "from-git", git_repo = "https://git.example.com/team/iris.git", models = new[] { "m" } }))
            .EnsureSuccessStatusCode();
        var option = await portal.Http.PostAsJsonAsync("/api/v1/packages", new { model_version = "m/9", project = "from-git", entry = "predict.py", git_ref = "--upload-pack=touch /tmp/pwned" });
        Assert.Contains("is not a branch, tag or commit name",
            (await option.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("git_ref")[0].GetString());
        var noRepo = await portal.Http.PostAsJsonAsync("/api/v1/packages", new { model_version = "m/9", project = "iris", entry = "predict.py", git_ref = "main" });
        Assert.Contains("has no git repository", (await noRepo.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("git_ref")[0].GetString());
    }

    private static async Task<JsonElement> PackageAsync(HttpClient http, object request)
    {
        var started = await http.PostAsJsonAsync("/api/v1/packages", request);
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var location = started.Headers.Location!.ToString();
        var ended = await WaitForEndAsync(http, location);
        Assert.True(ended.GetProperty("state").GetString() == "FINISHED",
            $"packaging failed: {ended.GetProperty("message")}\n{await http.GetStringAsync(location + "/log")}");
        return ended;
    }

    private static async Task<JsonElement> WaitForEndAsync(HttpClient http, string location)
    {
        for (var i = 0; i < 720; i++)
        {
            var p = await http.GetFromJsonAsync<JsonElement>(location);
            if (p.GetProperty("state").GetString() is "FINISHED" or "FAILED") return p;
            await Task.Delay(250);
        }
        throw new TimeoutException($"{location} did not end in 3 minutes");
    }

    private static async Task UploadIrisVersionAsync(RealPortalHost portal)
    {
        var pickle = Path.Combine(portal.Dir.Path, "model.pkl");
        await RealPython.PickleIrisClassifierAsync(pickle);
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(await File.ReadAllBytesAsync(pickle));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "files", "model.pkl");
        (await portal.Http.PostAsync("/api/v1/models/iris-clf/versions", form)).EnsureSuccessStatusCode();
    }

    private static async Task WaitForHealthAsync(HttpClient model, string container)
    {
        for (var i = 0; i < 120; i++)
        {
            try
            {
                if ((await model.GetAsync("/health")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"the packaged model did not answer /health in 30 s; its output:\n{await DockerAsync("logs", container)}");
    }

    /// <summary>The docker command line, as a user outside the portal would run it; its output, or a failure with it.</summary>
    internal static async Task<string> DockerAsync(params string[] args)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"docker {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}{await stdout}");
        return await stdout + await stderr;
    }
}
