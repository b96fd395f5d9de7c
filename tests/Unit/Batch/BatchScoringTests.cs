using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Deployments.DeploymentTests;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Batch;

/// <summary>
/// Batch scoring on real runs: a model version scores a dataset with the project's prediction code (real Python, a real
/// scikit-learn model) in a one-off job, the predictions become a dataset, and lineage links dataset + version → job →
/// dataset. Bad input is refused by field before anything runs; a job whose code leaves a link among its predictions gets
/// nothing stored.
/// </summary>
public sealed class BatchScoringTests
{
    /// <summary>Two rows of each species, then the same as JSON: what the iris classifier must get right.</summary>
    private const string Rows = "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n4.9,3.0,1.4,0.2\n" +
                                "6.7,3.1,4.7,1.5\n5.6,3.0,4.5,1.5\n7.7,3.8,6.7,2.2\n6.9,3.2,5.7,2.3\n";

    internal static async Task UploadDatasetAsync(HttpClient http, string model, string name, params (string Name, string Content)[] files)
    {
        var form = new MultipartFormDataContent { { new StringContent(name), "name" } };
        foreach (var (file, content) in files)
        {
            var part = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(content));
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "files", file);
        }
        var uploaded = await http.PostAsync($"/api/v1/models/{model}/datasets", form);
        Assert.True(uploaded.IsSuccessStatusCode, await uploaded.Content.ReadAsStringAsync());
    }

    [SkippableTheory]
    [InlineData("local")]
    [InlineData("swarm")]
    public async Task A_version_scores_a_dataset_into_a_new_dataset_linked_in_lineage(string manager)
    {
        if (manager == "swarm") await RealDocker.RequireNotebookBaseAsync();
        RealPython.Require();
        await using var portal = await StartWithIrisVersionAsync(manager);
        var http = portal.Http;
        var json = JsonSerializer.Serialize(new { columns = new[] { "sepal_length", "sepal_width", "petal_length", "petal_width" }, data = new[] { new[] { 6.3, 3.3, 6.0, 2.5 } } });
        await UploadDatasetAsync(http, "iris-clf", "spring", ("rows.csv", Rows), ("late.json", json), ("README.txt", "not scored"));

        var launched = await http.PostAsJsonAsync("/api/v1/batch-jobs", new
        {
            version = "iris-clf/1", dataset = "iris-clf/spring", project = "iris", name = "score-spring", resource_profile = "nha-train",
        });
        Assert.Equal(HttpStatusCode.Created, launched.StatusCode);
        Assert.Equal("/api/v1/trainings/iris/score-spring", launched.Headers.Location?.OriginalString);
        var started = await launched.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("batch", started.GetProperty("kind").GetString());
        Assert.Equal("iris-clf/spring-by-1", started.GetProperty("scored_into").GetString());

        var job = await WaitForEndAsync(http, "iris", "score-spring");
        var log = await http.GetStringAsync("/api/v1/trainings/iris/score-spring/log");
        Assert.True(job.GetProperty("state").GetString() == "FINISHED", $"{job}\n{log}");
        Assert.True(job.GetProperty("scored").GetBoolean());
        Assert.Contains("6 predictions", log);
        var listed = await http.GetFromJsonAsync<JsonElement>("/api/v1/batch-jobs?project=iris");
        Assert.Equal(["score-spring"], listed.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("name").GetString()));

        // The predictions are a dataset of the version's model, one file per scored file, saying where they came from.
        var scored = await http.GetFromJsonAsync<JsonElement>("/api/v1/models/iris-clf/datasets/spring-by-1");
        Assert.Equal(["late.predictions.json", "rows.predictions.csv"],
            scored.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("name").GetString()).Order());
        Assert.Equal("iris-clf/1", scored.GetProperty("details").GetProperty("scored_by").GetString());
        Assert.Equal("iris/score-spring", scored.GetProperty("details").GetProperty("batch_job").GetString());
        var csv = (await http.GetStringAsync("/api/v1/models/iris-clf/datasets/spring-by-1/files/rows.predictions.csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["species", "setosa", "setosa", "versicolor", "versicolor", "virginica", "virginica"], csv);
        var late = await http.GetFromJsonAsync<JsonElement>("/api/v1/models/iris-clf/datasets/spring-by-1/files/late.predictions.json");
        Assert.Equal("virginica", late.GetProperty("prediction")[0][0].GetString());

        // Lineage: dataset + version → batch job → dataset, from the predictions back.
        var graph = await http.GetFromJsonAsync<JsonElement>("/api/v1/lineage/dataset/iris-clf/spring-by-1?depth=2");
        var ids = graph.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("name").GetString()!, n => n.GetProperty("id").GetString()!);
        var edges = graph.GetProperty("edges").EnumerateArray()
            .Select(e => (e.GetProperty("source").GetString(), e.GetProperty("target").GetString(), e.GetProperty("relation").GetString())).ToList();
        Assert.Contains((ids["iris/score-spring"], ids["iris-clf/spring-by-1"], "predicted"), edges);
        Assert.Contains((ids["iris-clf/spring"], ids["iris/score-spring"], "scored"), edges);
        Assert.Contains((ids["iris-clf/1"], ids["iris/score-spring"], "scored-with"), edges);
        Assert.Contains(graph.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("label").GetString() == "score-spring (batch)");
    }

    [SkippableFact]
    public async Task Bad_batch_jobs_are_refused_by_field_and_nothing_runs()
    {
        RealPython.Require();
        await using var portal = await StartWithIrisVersionAsync("local");
        var http = portal.Http;
        await UploadDatasetAsync(http, "iris-clf", "spring", ("rows.csv", Rows));
        await UploadDatasetAsync(http, "iris-clf", "notes", ("README.txt", "nothing to score"));

        var refused = await http.PostAsJsonAsync("/api/v1/batch-jobs", new
        {
            version = "iris-clf/9", dataset = "iris-clf/notes", project = "iris", entry = "../../etc/passwd.py", output = "Bad Name!",
            resource_profile = "huge", name = "x y",
        });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "version", "dataset", "entry", "output", "resource_profile", "name" }) Assert.True(errors.TryGetProperty(field, out _), $"{field}: {errors}");
        Assert.Contains("no .csv or .json file", errors.GetProperty("dataset")[0].GetString());
        Assert.Contains("must be a path inside the project", errors.GetProperty("entry")[0].GetString());

        // An uploaded version was made by no training: the project whose code scores must be named.
        var noProject = await http.PostAsJsonAsync("/api/v1/batch-jobs", new { version = "iris-clf/1", dataset = "iris-clf/spring" });
        Assert.Equal(HttpStatusCode.BadRequest, noProject.StatusCode);
        Assert.Contains("name the project", await noProject.Content.ReadAsStringAsync());
        // Predictions never overwrite a dataset.
        var taken = await http.PostAsJsonAsync("/api/v1/batch-jobs", new { version = "iris-clf/1", dataset = "iris-clf/spring", project = "iris", output = "spring" });
        Assert.Equal(HttpStatusCode.BadRequest, taken.StatusCode);
        Assert.Contains("already has a dataset named 'spring'", await taken.Content.ReadAsStringAsync());

        Assert.Equal(0, (await http.GetFromJsonAsync<JsonElement>("/api/v1/batch-jobs")).GetProperty("total").GetInt32());
    }

    /// <summary>
    /// The attack: the project's prediction code (the user's) links a host file the portal can read (here a stand-in for its
    /// secrets) into the predictions folder, hoping the portal stores it as a dataset the user can download. In a container
    /// the link means nothing inside it; the portal, reading the workspace on the host, must not follow it.
    /// </summary>
    [SkippableTheory]
    [InlineData("local")]
    [InlineData("docker")]
    public async Task A_link_left_among_the_predictions_is_refused_and_the_file_it_points_to_is_never_stored(string manager)
    {
        if (manager == "docker") await RealDocker.RequireNotebookBaseAsync();
        RealPython.Require();
        await using var portal = await StartWithIrisVersionAsync(manager);
        var http = portal.Http;
        var secret = portal.Dir.File("secrets/portal-secret.txt", "the portal's secret");
        var home = Path.Combine(portal.Dir.Path, "thief");
        Directory.CreateDirectory(home);
        await File.WriteAllTextAsync(Path.Combine(home, "predict.py"), $$"""
            import os
            def load(model_dir):
                scored = os.path.join(os.environ["PORTAL_WORK_DIR"], "scored")
                os.makedirs(scored, exist_ok=True)
                os.symlink({{JsonSerializer.Serialize(secret)}}, os.path.join(scored, "leak.csv"))
                return "a model"
            def predict(model, frame):
                return ["x"] * len(frame)
            """);
        (await http.PostAsJsonAsync("/api/v1/projects", new { name = "thief", home_dir = home, models = new[] { "iris-clf" } })).EnsureSuccessStatusCode();
        await UploadDatasetAsync(http, "iris-clf", "spring", ("rows.csv", Rows));

        var launched = await http.PostAsJsonAsync("/api/v1/batch-jobs", new { version = "iris-clf/1", dataset = "iris-clf/spring", project = "thief", name = "steal" });
        Assert.Equal(HttpStatusCode.Created, launched.StatusCode);
        var job = await WaitForEndAsync(http, "thief", "steal");
        var log = await http.GetStringAsync("/api/v1/trainings/thief/steal/log");
        Assert.Equal("FAILED", job.GetProperty("state").GetString());
        Assert.True(job.GetProperty("message").GetString()!.Contains("'leak.csv'", StringComparison.Ordinal), $"{job}\n{log}");
        Assert.False(job.GetProperty("scored").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/v1/models/iris-clf/datasets/spring-by-1")).StatusCode);
        Assert.True(File.Exists(secret));
    }

    /// <summary>
    /// The attack on the upload that brings a batch job's predictions back from another node: a job's token writing outside
    /// its predictions folder, and a plain training's token posing as a batch job. Both refused; nothing lands outside.
    /// </summary>
    [SkippableFact]
    public async Task A_task_token_cannot_send_predictions_outside_its_folder_nor_for_a_training_that_is_no_batch_job()
    {
        RealPython.Require();
        await using var portal = await StartWithIrisVersionAsync("local");
        var http = portal.Http;
        var home = Path.Combine(portal.Dir.Path, "slow");
        Directory.CreateDirectory(home);
        await File.WriteAllTextAsync(Path.Combine(home, "predict.py"), """
            import os, time
            def load(model_dir):
                print("TOKEN=" + os.environ["PORTAL_TASK_TOKEN"], flush=True)
                time.sleep(30)
                return "a model"
            def predict(model, frame):
                return ["x"] * len(frame)
            """);
        await File.WriteAllTextAsync(Path.Combine(home, "nb.ipynb"), File.ReadAllText(Path.Combine(WriteNotebook(portal.Dir, "nbdir",
            "import os, time", "print('TOKEN=' + os.environ['PORTAL_TASK_TOKEN'], flush=True)\ntime.sleep(30)"), "nb.ipynb")));
        (await http.PostAsJsonAsync("/api/v1/projects", new { name = "slow", home_dir = home, models = new[] { "iris-clf" } })).EnsureSuccessStatusCode();
        await UploadDatasetAsync(http, "iris-clf", "spring", ("rows.csv", Rows));
        (await http.PostAsJsonAsync("/api/v1/batch-jobs", new { version = "iris-clf/1", dataset = "iris-clf/spring", project = "slow", name = "job" }))
            .EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/api/v1/trainings", new { project = "slow", name = "plain", notebook = "nb.ipynb" })).EnsureSuccessStatusCode();

        async Task<string> TokenOfAsync(string name)
        {
            for (var i = 0; i < 240; i++, await Task.Delay(250))
            {
                var log = await http.GetStringAsync($"/api/v1/trainings/slow/{name}/log");
                var m = System.Text.RegularExpressions.Regex.Match(log, "TOKEN=([0-9a-f]{64})");
                if (m.Success) return m.Groups[1].Value;
            }
            throw new TimeoutException($"{name} never printed its token");
        }
        async Task<HttpResponseMessage> SendAsync(string token, string file)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/tasks/results/scored/{file}") { Content = new StringContent("stolen") };
            request.Headers.Authorization = new("Bearer", token);
            return await http.SendAsync(request);
        }

        var job = await TokenOfAsync("job");
        // Encoded slashes stay part of one file name (kept inside the predictions folder); dot segments never reach the endpoint.
        foreach (var name in new[] { "..%2F..%2Finput.ipynb", "..%2Fevil.csv", "%2Fetc%2Fevil.csv", "..", "%2E%2E" })
            (await SendAsync(job, name)).Dispose();
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(job, "ok.csv")).StatusCode);
        var plain = await TokenOfAsync("plain");
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(plain, "x.csv")).StatusCode);
        var workDir = Path.Combine(portal.Dir.Path, "data", "work", "trainings");
        var written = Directory.EnumerateFiles(workDir, "*", SearchOption.AllDirectories).ToList();
        Assert.All(written.Where(f => File.ReadAllText(f) == "stolen"), f => Assert.Equal("scored", Path.GetFileName(Path.GetDirectoryName(f))));
        Assert.Contains(written, f => f.EndsWith("/scored/ok.csv", StringComparison.Ordinal));
        Assert.DoesNotContain(written, f => Path.GetFileName(f) == "x.csv");
        Assert.Empty(Directory.EnumerateFiles("/etc", "evil.csv"));
        foreach (var name in new[] { "job", "plain" }) await http.PostAsync($"/api/v1/trainings/slow/{name}/cancel", null);
    }
}
