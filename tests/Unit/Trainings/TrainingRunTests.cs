using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Entities;
using Portal.Core.Persistence;
using Portal.Core.Storage;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Trainings;

/// <summary>Trainings through the API on the local manager: real Python runs real notebooks, the toolkit reports back over HTTP.</summary>
public class TrainingRunTests
{
    internal static string IrisDir => Path.Combine(RepoRoot.Path, "deploy", "examples", "iris");

    /// <summary>The feature columns the iris example's predict.py expects.</summary>
    internal static readonly string[] Columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"];

    internal static async Task<JsonElement> WaitForEndAsync(HttpClient http, string project, string name, int seconds = 90)
    {
        for (var i = 0; i < seconds * 4; i++)
        {
            var t = await http.GetFromJsonAsync<JsonElement>($"/api/v1/trainings/{project}/{name}");
            if (t.GetProperty("state").GetString() is "FINISHED" or "FAILED" or "CANCELLED") return t;
            await Task.Delay(250);
        }
        throw new TimeoutException($"training {name} did not end in {seconds} s");
    }

    /// <summary>Waits for the end and asserts FINISHED; a failure shows the training's message and its log's tail, which CI keeps.</summary>
    internal static async Task<JsonElement> AssertFinishesAsync(HttpClient http, string project, string name, int seconds = 90)
    {
        var end = await WaitForEndAsync(http, project, name, seconds);
        var state = end.GetProperty("state").GetString();
        if (state == "FINISHED") return end;
        var log = await http.GetStringAsync($"/api/v1/trainings/{project}/{name}/log");
        Assert.Fail($"training {project}/{name} ended {state}: {end.GetProperty("message")}; failure {end.GetProperty("failure")}\n--- log tail ---\n{log[Math.Max(0, log.Length - 3000)..]}");
        return end;
    }

    internal static async Task CreateProjectAsync(HttpClient http, string name, string homeDir) =>
        (await http.PostAsJsonAsync("/api/v1/projects", new { name, home_dir = homeDir })).EnsureSuccessStatusCode();

    internal static string WriteNotebook(TempDir dir, string folder, params string[] cells)
    {
        var nb = new JsonObject
        {
            ["cells"] = new JsonArray(cells.Select((c, i) => (JsonNode)new JsonObject
            {
                ["cell_type"] = "code", ["execution_count"] = null, ["id"] = $"c{i}", ["outputs"] = new JsonArray(), ["source"] = c,
                ["metadata"] = i == 0 ? new JsonObject { ["tags"] = new JsonArray("parameters") } : new JsonObject(),
            }).ToArray()),
            ["metadata"] = new JsonObject { ["kernelspec"] = new JsonObject { ["name"] = "python3", ["display_name"] = "Python 3", ["language"] = "python" } },
            ["nbformat"] = 4, ["nbformat_minor"] = 5,
        };
        var path = Path.Combine(dir.Path, folder);
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "nb.ipynb"), nb.ToJsonString());
        return path;
    }

    [SkippableFact]
    public async Task The_iris_example_trains_with_parameters_reports_metrics_and_keeps_its_results()
    {
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync();
        await CreateProjectAsync(portal.Http, "iris", IrisDir);

        var launched = await portal.Http.PostAsJsonAsync("/api/v1/trainings", new
        {
            project = "iris", name = "rf-30", notebook = "train.ipynb",
            parameters = new { n_estimators = 30, note = "été 🌸" },
        });
        Assert.Equal(HttpStatusCode.Created, launched.StatusCode);

        var t = await AssertFinishesAsync(portal.Http, "iris", "rf-30");
        Assert.Equal(1.0, t.GetProperty("progress").GetDouble());
        Assert.InRange(t.GetProperty("metrics").GetProperty("accuracy").GetDouble(), 0.8, 1.0);
        Assert.Equal(30, t.GetProperty("metrics").GetProperty("n_estimators").GetDouble());

        var log = await portal.Http.GetStringAsync("/api/v1/trainings/iris/rf-30/log");
        Assert.Contains("step 3: 30 trees", log);
        Assert.Contains("test accuracy", log);

        var executed = JsonNode.Parse(await portal.Http.GetStringAsync("/api/v1/trainings/iris/rf-30/notebook"))!;
        var injected = executed["cells"]!.AsArray().Single(c => c!["metadata"]?["tags"]?.AsArray().Any(x => x!.GetValue<string>() == "injected-parameters") == true)!;
        Assert.Contains("note = \"été 🌸\"", string.Concat(injected["source"]!.AsArray().Select(l => l!.GetValue<string>())));
        var html = await portal.Http.GetAsync("/api/v1/trainings/iris/rf-30/notebook.html");
        Assert.Contains("sandbox", html.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("test accuracy", await html.Content.ReadAsStringAsync());
        Assert.False(Directory.Exists(Path.Combine(portal.Dir.Path, "data", "work", "trainings", "1")), "the work folder is removed once results are stored");
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Datasets_are_mounted_read_only_whether_stored_plain_or_compressed(bool compressed)
    {
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync();
        (await portal.Http.PostAsJsonAsync("/api/v1/models", new { name = "m", data_files = new[] { new { name = "rows.csv", required = true } } })).EnsureSuccessStatusCode();
        var form = new MultipartFormDataContent { { new StringContent("d1"), "name" }, { new StringContent(compressed ? "true" : "false"), "compress" } };
        var file = new ByteArrayContent("a,b\n1,2\n3,4\n"u8.ToArray());
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        form.Add(file, "files", "rows.csv");
        (await portal.Http.PostAsync("/api/v1/models/m/datasets", form)).EnsureSuccessStatusCode();
        var home = WriteNotebook(portal.Dir, "proj", "x = 1", "import os\nrows = open(os.environ['PORTAL_DATASETS_DIR'] + '/d1/rows.csv').read().splitlines()\nprint(f'rows={len(rows)}', flush=True)");
        await CreateProjectAsync(portal.Http, "p", home);

        (await portal.Http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name = "reads", notebook = "nb.ipynb", datasets = new[] { "m/d1" } })).EnsureSuccessStatusCode();
        var t = await AssertFinishesAsync(portal.Http, "p", "reads");
        Assert.Contains("rows=3", await portal.Http.GetStringAsync("/api/v1/trainings/p/reads/log"));
        Assert.Equal("d1", t.GetProperty("datasets")[0].GetProperty("name").GetString());
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_pretrained_model_version_is_mounted_for_the_notebook_to_start_from(bool compressed)
    {
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync();
        (await portal.Http.PostAsJsonAsync("/api/v1/models", new { name = "m" })).EnsureSuccessStatusCode();
        // Model versions are published by a later feature; this one is stored the way it will store them.
        var store = portal.Services.GetRequiredService<IFileStore>();
        var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var version = new ModelVersion { Name = "v1", ModelId = (await db.Models.SingleAsync(m => m.Name == "m")).Id, Compressed = compressed, CreatedAt = DateTime.UtcNow };
        db.ModelVersions.Add(version);
        await db.SaveChangesAsync();
        await using (var content = new MemoryStream("weights-42"u8.ToArray()))
            await store.SaveAsync(StorageKeys.ModelVersionFiles(version.Id) + "/weights.txt", content, null, CancellationToken.None);
        if (compressed)
            await store.SaveAsync(StorageKeys.ModelVersionArchive(version.Id), (target, ct) => TarArchives.WriteAsync(
                store, [(StorageKeys.ModelVersionFiles(version.Id) + "/weights.txt", "weights.txt")], target, ct), null, CancellationToken.None);
        await db.DisposeAsync();
        var home = WriteNotebook(portal.Dir, "proj", "x = 1", "import os\nprint('loaded', open(os.environ['PORTAL_PRETRAINED_DIR'] + '/weights.txt').read(), flush=True)");
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "p", home_dir = home, models = new[] { "m" } })).EnsureSuccessStatusCode();

        var unknown = await portal.Http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", notebook = "nb.ipynb", pretrained = "m/v9" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("There is no model version 'm/v9'", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("pretrained")[0].GetString());

        (await portal.Http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name = "fine-tune", notebook = "nb.ipynb", pretrained = "m/v1" })).EnsureSuccessStatusCode();
        var t = await AssertFinishesAsync(portal.Http, "p", "fine-tune");
        Assert.Equal("m/v1", t.GetProperty("pretrained").GetString());
        Assert.Contains("loaded weights-42", await portal.Http.GetStringAsync("/api/v1/trainings/p/fine-tune/log"));
    }

    [SkippableFact]
    public async Task A_failing_cell_fails_the_training_with_its_traceback()
    {
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync();
        var home = WriteNotebook(portal.Dir, "proj", "divisor = 1", "print('before')", "print(10 / divisor)");
        await CreateProjectAsync(portal.Http, "p", home);
        (await portal.Http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name = "boom", notebook = "nb.ipynb", parameters = new { divisor = 0 } })).EnsureSuccessStatusCode();

        var t = await WaitForEndAsync(portal.Http, "p", "boom");
        Assert.Equal("FAILED", t.GetProperty("state").GetString());
        Assert.Contains("ZeroDivisionError", t.GetProperty("message").GetString());
        var failure = t.GetProperty("failure");
        Assert.Equal(3, failure.GetProperty("cell_index").GetInt32());
        Assert.Contains(failure.GetProperty("traceback").EnumerateArray(), l => l.GetString()!.Contains("ZeroDivisionError"));
        Assert.Contains("before", await portal.Http.GetStringAsync("/api/v1/trainings/p/boom/log"));
        // The partly executed notebook is kept.
        Assert.Equal(HttpStatusCode.OK, (await portal.Http.GetAsync("/api/v1/trainings/p/boom/notebook")).StatusCode);
    }

    [SkippableFact]
    public async Task Cancel_stops_a_running_training()
    {
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync();
        var home = WriteNotebook(portal.Dir, "proj", "seconds = 1", "import time\nprint('sleeping', flush=True)\ntime.sleep(seconds)");
        await CreateProjectAsync(portal.Http, "p", home);
        (await portal.Http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name = "long", notebook = "nb.ipynb", parameters = new { seconds = 120 } })).EnsureSuccessStatusCode();
        for (var i = 0; i < 120 && !(await portal.Http.GetStringAsync("/api/v1/trainings/p/long/log")).Contains("sleeping"); i++) await Task.Delay(250);

        Assert.Equal(HttpStatusCode.Accepted, (await portal.Http.PostAsync("/api/v1/trainings/p/long/cancel", null)).StatusCode);
        var t = await WaitForEndAsync(portal.Http, "p", "long", 30);
        Assert.Equal("CANCELLED", t.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await portal.Http.PostAsync("/api/v1/trainings/p/long/cancel", null)).StatusCode);
    }

    [SkippableFact]
    public async Task Bad_launches_are_refused_before_anything_starts()
    {
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync();
        await CreateProjectAsync(portal.Http, "iris", IrisDir);
        var r = await portal.Http.PostAsJsonAsync("/api/v1/trainings", new
        {
            project = "iris", name = "Bad Name", notebook = "../outside.ipynb", resource_profile = "huge",
            parameters = new Dictionary<string, object> { ["1x"] = 1 }, env = new Dictionary<string, string> { ["PORTAL_TASK_TOKEN"] = "x" },
        });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var errors = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "name", "notebook", "resource_profile", "env" }) Assert.True(errors.TryGetProperty(field, out _), field);
        Assert.Contains("Known profiles: nha-depl, nha-ide, nha-train", errors.GetProperty("resource_profile")[0].GetString());

        r = await portal.Http.PostAsJsonAsync("/api/v1/trainings", new { project = "iris", notebook = "missing.ipynb" });
        Assert.Contains("There is no notebook 'missing.ipynb'", (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("notebook")[0].GetString());
        Assert.Equal(0, (await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/trainings")).GetProperty("total").GetInt32());
    }

    [SkippableFact]
    public async Task A_task_token_only_reports_for_its_own_training()
    {
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync();
        var r = await portal.Http.PostAsJsonAsync("/api/v1/tasks/report", new { progress = 0.5 });
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tasks/report") { Content = JsonContent.Create(new { progress = 0.5 }) };
        request.Headers.Authorization = new("Bearer", "not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await portal.Http.SendAsync(request)).StatusCode);
    }

    [SkippableFact]
    public async Task A_task_token_opens_nothing_but_its_own_task_endpoints()
    {
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync();
        // The notebook shows its token only so the test can try it where it must not work.
        var home = WriteNotebook(portal.Dir, "proj", "import os\nprint('TOKEN=' + os.environ['PORTAL_TASK_TOKEN'], flush=True)");
        await CreateProjectAsync(portal.Http, "p", home);
        (await portal.Http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name = "leaky", notebook = "nb.ipynb" })).EnsureSuccessStatusCode();
        await AssertFinishesAsync(portal.Http, "p", "leaky");
        var log = await portal.Http.GetStringAsync("/api/v1/trainings/p/leaky/log");
        var token = System.Text.RegularExpressions.Regex.Match(log, "TOKEN=([0-9a-f]{64})").Groups[1].Value;
        Assert.NotEmpty(token);

        using var task = new HttpClient { BaseAddress = new Uri(portal.BaseAddress) };
        task.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await task.GetAsync("/api/v1/projects")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await task.GetAsync("/api/v1/trainings/p/leaky")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await task.PostAsJsonAsync("/api/v1/models", new { name = "m" })).StatusCode);
        // On its own endpoint the token is known: it is refused only because its training has ended.
        Assert.Equal(HttpStatusCode.Conflict, (await task.PostAsJsonAsync("/api/v1/tasks/report", new { progress = 1.0 })).StatusCode);
        (await portal.Http.PostAsJsonAsync("/api/v1/models", new { name = "m" })).EnsureSuccessStatusCode();
        using var files = new MultipartFormDataContent { { new ByteArrayContent([1]), "files", "model.pkl" } };
        var publish = await task.PostAsync("/api/v1/tasks/publish?model=m", files);
        Assert.Equal(HttpStatusCode.Conflict, publish.StatusCode);
        Assert.Contains("only a running training can publish", await publish.Content.ReadAsStringAsync());
        var fetch = await task.GetAsync("/api/v1/tasks/models/m/versions/1");
        Assert.Equal(HttpStatusCode.Unauthorized, fetch.StatusCode);
        Assert.Contains("its token admits nothing more", await fetch.Content.ReadAsStringAsync());
    }

    [SkippableFact]
    public async Task After_a_restart_a_training_whose_process_is_gone_is_failed_with_the_reason()
    {
        RealPython.Require();
        var portal = await RealPortalHost.StartAsync();
        var home = WriteNotebook(portal.Dir, "proj", "seconds = 1", "import time\nprint('sleeping', flush=True)\ntime.sleep(seconds)");
        await CreateProjectAsync(portal.Http, "p", home);
        (await portal.Http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name = "orphan", notebook = "nb.ipynb", parameters = new { seconds = 120 } })).EnsureSuccessStatusCode();
        for (var i = 0; i < 120 && !(await portal.Http.GetStringAsync("/api/v1/trainings/p/orphan/log")).Contains("sleeping"); i++) await Task.Delay(250);

        var dir = await portal.StopKeepingDataAsync();
        await using var restarted = await RealPortalHost.StartAsync(dir: dir);
        var t = await WaitForEndAsync(restarted.Http, "p", "orphan", 20);
        Assert.Equal("FAILED", t.GetProperty("state").GetString());
        Assert.Contains("do not survive a restart", t.GetProperty("message").GetString());
    }
}
