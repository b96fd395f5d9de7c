using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.Unit.Support;
using Xunit.Abstractions;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Orchestration;

/// <summary>
/// The iris walkthrough on a real swarm of two nodes (<see cref="TwoNodeSwarm"/>), with the metadata in PostgreSQL and the
/// files in an S3 bucket: the training is placed on the worker, which does not see the portal's disk, so it fetches its
/// notebook, project, dataset and toolkit through the portal, reports progress, publishes its version and sends its
/// results back; an IDE session there fetches its dataset; a batch job there scores it and sends its predictions back; then a deployment runs a replica on each node and serves
/// through the router.
/// </summary>
public sealed class TwoNodeSwarmTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task The_iris_walkthrough_runs_on_a_worker_node_with_postgres_and_s3_and_serves_from_both_nodes()
    {
        RealPython.Require();
        await using var swarm = await TwoNodeSwarm.StartAsync();
        await using var s3 = await RealS3.StartAsync();
        var port = TwoNodeSwarm.FreePort();
        await using var portal = await RealPortalHost.StartAsync(
            // IDE homes in volumes that are not node-local (tmpfs stands in for NFS here), so sessions may run anywhere too.
            $"docker:\n  daemon_address: {swarm.Manager.Address}\n{s3.FileStoreYaml}ide:\n  volume_options:\n    type: tmpfs\n    device: tmpfs\n",
            manager: "swarm", url: $"http://0.0.0.0:{port}",
            managerYaml: $"portal_url: http://{swarm.HostAddress}:{port}", storeYaml: await RealPortalHost.PostgresStoreYamlAsync());
        var http = portal.Http;
        var (managerNode, workerNode) = await swarm.NodeIdsAsync();
        // The admin is told, where the engine is tested, that work may run on another node.
        var health = await portal.Services.GetRequiredService<Portal.Core.Containers.IContainerManager>().CheckAsync(CancellationToken.None);
        Assert.Contains("2 nodes take work: trainings and deployments fetch their files through the portal", health.Summary);

        (await http.PostAsJsonAsync("/api/v1/models", new { name = "iris-clf", model_files = new[] { new { name = "model.pkl", required = true } } }))
            .EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/api/v1/projects", new { name = "iris", home_dir = IrisDir, models = new[] { "iris-clf" } })).EnsureSuccessStatusCode();
        var form = new MultipartFormDataContent { { new StringContent("iris-data"), "name" } };
        var rows = new ByteArrayContent("sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n"u8.ToArray());
        rows.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(rows, "files", "rows.csv");
        (await http.PostAsync("/api/v1/models/iris-clf/datasets", form)).EnsureSuccessStatusCode();

        // Only the worker takes work: the training must run where the portal's folders are not.
        await swarm.SetManagerAvailabilityAsync("drain");
        var launched = await http.PostAsJsonAsync("/api/v1/trainings", new
        {
            project = "iris", name = "t1", notebook = "train.ipynb", datasets = new[] { "iris-clf/iris-data" },
            parameters = new { n_estimators = 10, publish_model = "iris-clf" },
        });
        Assert.True(launched.StatusCode == HttpStatusCode.Created, await launched.Content.ReadAsStringAsync());
        // It runs on the worker's engine (a container there, with the training's labels).
        var onWorker = "";
        for (var i = 0; i < 240 && onWorker.Length == 0; i++, await Task.Delay(250))
            onWorker = (await swarm.Worker.DockerAsync("ps", "-aq", "--filter", "label=io.mlops-portal.kind=training")).Trim();
        Assert.NotEmpty(onWorker);
        var training = await AssertFinishesAsync(http, "iris", "t1", 240);

        var log = await http.GetStringAsync("/api/v1/trainings/iris/t1/log");
        Assert.Contains("fetched datasets, notebook, project from the portal", log);
        Assert.Contains("dataset iris-data: rows.csv", log);
        Assert.Contains("test accuracy", log);
        Assert.Equal(1.0, training.GetProperty("progress").GetDouble());
        Assert.InRange(training.GetProperty("metrics").GetProperty("accuracy").GetDouble(), 0.8, 1.0);
        // The executed notebook came back from the worker and was stored in the bucket.
        Assert.Contains("test accuracy", await http.GetStringAsync("/api/v1/trainings/iris/t1/notebook.html"));
        var version = Assert.Single((await http.GetFromJsonAsync<JsonElement>("/api/v1/model-versions?model=iris-clf")).GetProperty("items").EnumerateArray());
        Assert.Equal("iris/t1", version.GetProperty("training").GetString());

        // An IDE session on the worker gets its dataset the same way.
        (await http.PostAsJsonAsync("/api/v1/ide", new { name = "lab", datasets = new[] { "iris-clf/iris-data" } })).EnsureSuccessStatusCode();
        var rowsInIde = "";
        for (var i = 0; i < 480 && !rowsInIde.Contains("5.1,3.5", StringComparison.Ordinal); i++, await Task.Delay(250))
        {
            var container = (await swarm.Worker.DockerAsync("ps", "-q", "--filter", "label=io.mlops-portal.kind=ide")).Trim();
            if (container.Length == 0) continue;
            try { rowsInIde = await swarm.Worker.DockerAsync("exec", container, "cat", "/tmp/portal/datasets/iris-data/rows.csv"); }
            catch (InvalidOperationException) { }
        }
        Assert.Contains("5.1,3.5", rowsInIde);
        (await http.PostAsync("/api/v1/ide/lab/stop", null)).EnsureSuccessStatusCode();

        // A batch job on the worker: the version scores the dataset there (the project that trained it gives the code) and
        // sends its predictions back, which become a dataset.
        var scoring = await http.PostAsJsonAsync("/api/v1/batch-jobs", new
        {
            version = $"iris-clf/{version.GetProperty("name").GetString()}", dataset = "iris-clf/iris-data", name = "score", output = "scored",
        });
        Assert.True(scoring.StatusCode == HttpStatusCode.Created, await scoring.Content.ReadAsStringAsync());
        await AssertFinishesAsync(http, "iris", "score", 240);
        Assert.Equal("species\nsetosa", (await http.GetStringAsync("/api/v1/models/iris-clf/datasets/scored/files/rows.predictions.csv")).Trim().ReplaceLineEndings("\n"));

        // A deployment with a replica on each node, both fetching the version, both answering through the router.
        await swarm.SetManagerAvailabilityAsync("active");
        var created = await http.PostAsJsonAsync("/api/v1/deployments", new
        {
            name = "iris-api", project = "iris", model_version = $"iris-clf/{version.GetProperty("name").GetString()}", entry = "predict.py", replicas = 2,
        });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var endpoints = await WaitForEndpointsAsync(http, "iris-api", 2);
        output.WriteLine($"replicas: {string.Join(", ", endpoints)}; nodes: manager {managerNode}, worker {workerNode}");
        Assert.Contains(endpoints, e => e.StartsWith($"http://{swarm.ManagerAddress}:", StringComparison.Ordinal));
        Assert.Contains(endpoints, e => e.StartsWith($"http://{swarm.WorkerAddress}:", StringComparison.Ordinal));
        for (var i = 0; i < 6; i++)
        {
            var answer = await http.PostAsJsonAsync("/model/iris-api/api/model/invoke", new { columns = Columns, data = new[] { new[] { 5.1, 3.5, 1.4, 0.2 } } });
            Assert.True(answer.IsSuccessStatusCode, $"{(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
        }
    }

    private static async Task<List<string>> WaitForEndpointsAsync(HttpClient http, string name, int count)
    {
        var endpoints = new List<string>();
        for (var i = 0; i < 480; i++)
        {
            var d = await http.GetFromJsonAsync<JsonElement>($"/api/v1/deployments/{name}");
            endpoints = [.. d.GetProperty("replica_states").EnumerateArray()
                .Select(r => r.GetProperty("endpoint")).Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)];
            if (endpoints.Count == count)
            {
                var info = await http.GetAsync($"/model/{name}/api/model/info");
                if (info.StatusCode == HttpStatusCode.OK) return endpoints;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"{name} did not serve from {count} replicas in 120 s: {await http.GetStringAsync($"/api/v1/deployments/{name}")}");
    }
}
