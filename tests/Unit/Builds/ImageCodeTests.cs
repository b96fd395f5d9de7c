using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Core.Containers;
using Portal.Orchestration.Builds;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Builds.ProjectBuildTests;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Builds;

/// <summary>
/// Projects without a home directory (a git or docker repository) train and serve the code baked into their build's
/// image: read out of the image on the real dockerd, run on the real swarm.
/// </summary>
public sealed class ImageCodeTests
{
    private static readonly object[] Rows = [new[] { 5.1, 3.5, 1.4, 0.2 }];

    private static async Task<string?> ErrorAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty(field)[0].GetString();
    }

    [SkippableFact]
    public async Task Files_are_read_out_of_an_image_from_its_working_directory_and_no_reader_container_is_left()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        using var dir = new TempDir();
        var notebook = """{"cells": [], "metadata": {"note": "çà va ✓"}, "nbformat": 4, "nbformat_minor": 5}""";
        dir.File("notebooks/train.ipynb", notebook);
        dir.File("Dockerfile", $"FROM {RealDocker.BusyboxImage}\nWORKDIR /app\nCOPY notebooks /app/notebooks\n");
        using var docker = RealDocker.Client();
        var image = $"portal-test/code:{Guid.NewGuid():N}"[..32];
        await using (var context = BuildContext.Open(dir.Path, CancellationToken.None))
            await docker.BuildImageAsync(context, image, "Dockerfile", _ => Task.CompletedTask, CancellationToken.None);
        var files = new DockerImageFiles(docker);

        var found = await files.ReadAsync(image, "notebooks/train.ipynb", CancellationToken.None);
        Assert.Equal(("/app/notebooks/train.ipynb", "/app", "/app/notebooks", notebook), (found.Path, found.WorkingDir, found.Folder, found.Text));
        var missing = await files.ReadAsync(image, "other.ipynb", CancellationToken.None);
        Assert.Equal(("/app/other.ipynb", false), (missing.Path, missing.Exists));
        Assert.Contains("/app/notebooks in", (await Assert.ThrowsAsync<ContainerManagerException>(() => files.ReadAsync(image, "notebooks", CancellationToken.None))).Message);
        // The busybox image sets no WORKDIR (paths start at /) and its applets are links to /bin/busybox.
        var link = await Assert.ThrowsAsync<ContainerManagerException>(() => files.ReadAsync(RealDocker.BusyboxImage, "bin/sh", CancellationToken.None));
        Assert.Equal($"/bin/sh in {RealDocker.BusyboxImage} is a link to /bin/busybox; name that file instead.", link.Message);
        var absent = await Assert.ThrowsAsync<ContainerManagerException>(() => files.ReadAsync("portal-test/never-built:1", "a.ipynb", CancellationToken.None));
        Assert.Contains("is not on the engine's host; build the project again", absent.Message);

        Assert.Empty(await docker.CallAsync((c, t) => c.Containers.ListContainersAsync(new Docker.DotNet.Models.ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{DockerImageFiles.PurposeLabel}=read-image"] = true },
            },
        }, t), CancellationToken.None));
    }

    [SkippableFact]
    public async Task A_git_project_trains_and_serves_the_code_of_its_build_on_the_swarm()
    {
        await RealDocker.RequireNotebookBaseAsync();
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync(manager: "swarm");
        var repo = Path.Combine(portal.Dir.Path, "repo");
        Directory.CreateDirectory(repo);
        foreach (var file in Directory.GetFiles(IrisDir)) File.Copy(file, Path.Combine(repo, Path.GetFileName(file)));
        // A notebook in a sub-folder that reads its neighbour: its kernel must start in that folder of the image.
        portal.Dir.File("repo/checks/expected.txt", "from the image");
        File.Move(Path.Combine(WriteNotebook(portal.Dir, "nb", "x = 1", "import os\nprint('cwd', os.getcwd(), open('expected.txt').read())"), "nb.ipynb"),
            Path.Combine(repo, "checks", "where.ipynb"));
        await GitAsync(repo, "init", "-q", "-b", "main");
        await GitAsync(repo, "add", ".");
        await GitAsync(repo, "commit", "-q", "-m", "iris");
        (await portal.Http.PostAsJsonAsync("/api/v1/models", new { name = "iris-clf", model_files = new[] { new { name = "model.pkl", required = true } } })).EnsureSuccessStatusCode();
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "iris-git", git_repo = "file://" + repo, models = new[] { "iris-clf" } })).EnsureSuccessStatusCode();

        var noBuild = await portal.Http.PostAsJsonAsync("/api/v1/trainings", new { project = "iris-git", notebook = "train.ipynb" });
        Assert.Contains("has no home directory, so its notebook is read from one of its builds", await ErrorAsync(noBuild, "build_tag"));

        Assert.Equal("SUCCEEDED", (await BuildAsync(portal.Http, "iris-git", new { from = "git", tag = "v1", git_ref = "main" })).GetProperty("state").GetString());
        var wrong = await portal.Http.PostAsJsonAsync("/api/v1/trainings", new { project = "iris-git", notebook = "trian.ipynb", build_tag = "v1" });
        Assert.Equal("The build 'v1' (portal/iris-git:v1) has no notebook 'trian.ipynb': looked for /app/trian.ipynb, as paths start at the image's working directory (/app).",
            await ErrorAsync(wrong, "notebook"));

        var where = await portal.Http.PostAsJsonAsync("/api/v1/trainings", new { project = "iris-git", name = "where", notebook = "checks/where.ipynb", build_tag = "v1" });
        Assert.True(where.IsSuccessStatusCode, await where.Content.ReadAsStringAsync());
        (await portal.Http.PostAsJsonAsync("/api/v1/trainings", new
        {
            project = "iris-git", name = "rf", notebook = "train.ipynb", build_tag = "v1", parameters = new { n_estimators = 10, publish_model = "iris-clf" },
        })).EnsureSuccessStatusCode();
        await AssertFinishesAsync(portal.Http, "iris-git", "where", 180);
        Assert.Contains("cwd /app/checks from the image", await portal.Http.GetStringAsync("/api/v1/trainings/iris-git/where/log"));
        await AssertFinishesAsync(portal.Http, "iris-git", "rf", 180);

        (await portal.Http.PostAsJsonAsync("/api/v1/models/iris-clf/versions/1/promote", new { environment = "test", comment = "from the git build" })).EnsureSuccessStatusCode();
        var noCode = await portal.Http.PostAsJsonAsync("/api/v1/deployments", new { name = "iris-git-api", project = "iris-git", model_version = "iris-clf/1", entry = "predict2.py", environment = "test", build_tag = "v1" });
        Assert.Contains("has no 'predict2.py': looked for /app/predict2.py", await ErrorAsync(noCode, "entry"));
        var created = await portal.Http.PostAsJsonAsync("/api/v1/deployments", new { name = "iris-git-api", project = "iris-git", model_version = "iris-clf/1", entry = "predict.py", environment = "test", build_tag = "v1" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        HttpResponseMessage? answer = null;
        for (var i = 0; i < 240 && answer?.StatusCode != HttpStatusCode.OK; i++)
        {
            if (i > 0) await Task.Delay(250);
            answer = await portal.Http.PostAsJsonAsync("/model/iris-git-api/api/model/invoke", new { columns = Columns, data = Rows });
        }
        Assert.Equal(HttpStatusCode.OK, answer!.StatusCode);
        Assert.Equal("setosa", (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("prediction")[0][0].GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await portal.Http.DeleteAsync("/api/v1/deployments/iris-git-api")).StatusCode);
    }

    [Fact]
    public async Task On_local_processes_a_project_without_a_home_directory_is_refused_saying_what_to_do()
    {
        await using var portal = await RealPortalHost.StartAsync();
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "from-git", git_repo = "https://example.org/team/repo.git" })).EnsureSuccessStatusCode();
        var training = await portal.Http.PostAsJsonAsync("/api/v1/trainings", new { project = "from-git", notebook = "train.ipynb" });
        Assert.Equal(NoImageFiles.OnLocalProcesses, await ErrorAsync(training, "project"));
        var deployment = await portal.Http.PostAsJsonAsync("/api/v1/deployments", new { name = "from-git-api", project = "from-git", model_version = "m/1", entry = "predict.py" });
        Assert.Equal(NoImageFiles.OnLocalProcesses, await ErrorAsync(deployment, "project"));
        Assert.Equal(0, (await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/trainings")).GetProperty("total").GetInt32());
    }
}
