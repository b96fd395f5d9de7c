using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Lineage;

/// <summary>
/// Lineage of a real scenario made through the API on the embedded defaults: a dataset uploaded, the iris notebook
/// trained on it by real Python, the version it publishes from inside the run, a deployment of that version.
/// </summary>
public sealed class LineageApiTests
{
    [SkippableFact]
    public async Task Dataset_training_version_and_deployment_are_linked_in_the_api_lineage()
    {
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync();
        var http = portal.Http;
        (await http.PostAsJsonAsync("/api/v1/models", new
        {
            name = "iris-clf", model_files = new[] { new { name = "model.pkl", required = true } }, data_files = new[] { new { name = "notes.csv", required = true } },
        })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/api/v1/projects", new { name = "iris", home_dir = IrisDir, models = new[] { "iris-clf" } })).EnsureSuccessStatusCode();
        var form = new MultipartFormDataContent { { new StringContent("spring"), "name" } };
        form.Add(new ByteArrayContent("when,who\n2026-03-01,alice\n"u8.ToArray()), "files", "notes.csv");
        (await http.PostAsync("/api/v1/models/iris-clf/datasets", form)).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/api/v1/trainings", new
        {
            project = "iris", name = "rf", notebook = "train.ipynb", datasets = new[] { "iris-clf/spring" }, parameters = new { n_estimators = 10, publish_model = "iris-clf" },
        })).EnsureSuccessStatusCode();
        await AssertFinishesAsync(http, "iris", "rf", 120);
        (await http.PostAsJsonAsync("/api/v1/deployments", new { name = "iris-api", project = "iris", model_version = "iris-clf/1", entry = "predict.py" })).EnsureSuccessStatusCode();

        var fromDeployment = await http.GetFromJsonAsync<JsonElement>("/api/v1/lineage/deployment/iris-api?depth=3");
        var ids = fromDeployment.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("name").GetString()!, n => n.GetProperty("id").GetString()!);
        Assert.Equal(ids["iris-api"], fromDeployment.GetProperty("root").GetString());
        var edges = fromDeployment.GetProperty("edges").EnumerateArray()
            .Select(e => (e.GetProperty("source").GetString(), e.GetProperty("target").GetString(), e.GetProperty("relation").GetString())).ToList();
        Assert.Contains((ids["iris-clf/1"], ids["iris-api"], "deployed"), edges);
        Assert.Contains((ids["iris/rf"], ids["iris-clf/1"], "produced"), edges);
        Assert.Contains((ids["iris-clf/spring"], ids["iris/rf"], "trained-on"), edges);
        Assert.Contains((ids["iris-clf/spring"], ids["iris-clf/1"], "data-of"), edges);
        var version = fromDeployment.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("kind").GetString() == "version");
        Assert.Equal(["dev"], version.GetProperty("environments").EnumerateArray().Select(e => e.GetString()));

        // The same graph from the other end, one step at a time, with a slash in the name kept in the path.
        var fromDataset = await http.GetFromJsonAsync<JsonElement>("/api/v1/lineage/dataset/iris-clf/spring?depth=1");
        Assert.Equal(["iris-clf/1", "iris-clf/spring", "iris/rf"],
            fromDataset.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("name").GetString()).Order());
        Assert.Contains(ids["iris-clf/1"], fromDataset.GetProperty("unexplored").EnumerateArray().Select(e => e.GetString()));

        var missing = await http.GetAsync("/api/v1/lineage/version/iris-clf/9");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var badKind = await http.GetAsync("/api/v1/lineage/model/iris-clf");
        Assert.Equal(HttpStatusCode.BadRequest, badKind.StatusCode);
        Assert.Contains("not a kind of lineage node", await badKind.Content.ReadAsStringAsync());
    }
}
