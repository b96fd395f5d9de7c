using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Kubernetes;

/// <summary>
/// The portal with container_manager.type kube, end to end through its API, against the API protocol double. The test
/// plays the cluster: the Job controller makes the pod, the container writes its log and its executed notebook into
/// the workspace (the data claim in a real cluster), then ends. A portal restarted mid-training re-attaches; a cancel
/// deletes the Job.
/// </summary>
public sealed class KubernetesTrainingTests
{
    private const string Ns = "ml";
    private const string Pods = "api/v1/namespaces/ml/pods";
    private const string Jobs = "apis/batch/v1/namespaces/ml/jobs";

    private static Task<RealPortalHost> StartPortalAsync(KubeApiDouble api, TempDir dir) =>
        RealPortalHost.StartAsync($"kube:\n  kubeconfig: {api.Kubeconfig(dir.Path)}\n  namespace: {Ns}\n", dir, manager: "kube");

    /// <summary>What the Job controller does: a pod from the Job's template, Running.</summary>
    private static string RunPodOf(KubeApiDouble api, string job)
    {
        var template = api.Get(Jobs, job)!["spec"]!["template"]!;
        var pod = $"{job}-p";
        api.Put(Pods, new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = pod, ["labels"] = template["metadata"]!["labels"]!.DeepClone(), ["ownerReferences"] = new JsonArray(new JsonObject { ["kind"] = "Job", ["name"] = job }) },
            ["spec"] = template["spec"]!.DeepClone(),
        });
        api.SetPodPhase(Ns, pod, "Running");
        return pod;
    }

    private static async Task<JsonElement> WaitForStateAsync(HttpClient http, string name, string state)
    {
        for (var i = 0; i < 200; i++)
        {
            var t = await http.GetFromJsonAsync<JsonElement>($"/api/v1/trainings/iris/{name}");
            if (t.GetProperty("state").GetString() == state) return t;
            await Task.Delay(100);
        }
        throw new TimeoutException($"training {name} did not become {state}");
    }

    /// <summary>The supervisor removes an ended training's Job after it records the end: wait for it (10 s at most).</summary>
    private static async Task AssertRemovedAsync(KubeApiDouble api, string job)
    {
        for (var i = 0; i < 100 && api.Get(Jobs, job) is not null; i++) await Task.Delay(100);
        Assert.Null(api.Get(Jobs, job));
    }

    private static async Task<string> LaunchAsync(RealPortalHost portal, KubeApiDouble api, string name)
    {
        (await portal.Http.PostAsJsonAsync("/api/v1/trainings", new { project = "iris", name, notebook = "train.ipynb" })).EnsureSuccessStatusCode();
        for (var i = 0; i < 100; i++)
        {
            var job = api.All(Jobs).Where(j => j["metadata"]!["annotations"]?[Portal.Core.Containers.PortalLabels.RecordName]?.GetValue<string>() == name)
                .Select(j => j["metadata"]!["name"]!.GetValue<string>()).FirstOrDefault();
            if (job is not null) return job;
            await Task.Delay(50);
        }
        throw new TimeoutException($"no Job for {name}; jobs: {string.Join(", ", api.All(Jobs).Select(j => j["metadata"]!["name"]))}; training: {await portal.Http.GetStringAsync($"/api/v1/trainings/iris/{name}")}");
    }

    [Fact]
    public async Task Protocol_double_a_training_runs_as_a_job_its_log_and_notebook_come_back_and_a_restart_reattaches()
    {
        await using var api = await KubeApiDouble.StartAsync();
        var dir = new TempDir();
        var portal = await StartPortalAsync(api, dir);
        await CreateProjectAsync(portal.Http, "iris", IrisDir);

        var job = await LaunchAsync(portal, api, "rf");
        var spec = api.Get(Jobs, job)!["spec"]!["template"]!["spec"]!;
        Assert.Equal("portal/notebook-base:latest", spec["containers"]![0]!["image"]!.GetValue<string>());
        var work = spec["containers"]![0]!["volumeMounts"]!.AsArray().Single(m => m!["mountPath"]!.GetValue<string>() == "/portal/work")!;
        var workDir = Path.Combine(dir.Path, "data", work["subPath"]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(workDir, "input.ipynb")), "the workspace the Job mounts holds the notebook to run");

        var pod = RunPodOf(api, job);
        await WaitForStateAsync(portal.Http, "rf", "RUNNING");
        api.WriteLog(pod, "2026-11-22T10:00:00.000000001Z training on 105 rows", "2026-11-22T10:00:02.5Z test accuracy 0.96");
        await File.WriteAllTextAsync(Path.Combine(workDir, "output.ipynb"), await File.ReadAllTextAsync(Path.Combine(workDir, "input.ipynb")));
        api.SetPodPhase(Ns, pod, "Succeeded", 0);
        await WaitForStateAsync(portal.Http, "rf", "FINISHED");
        Assert.Contains("test accuracy 0.96", await portal.Http.GetStringAsync("/api/v1/trainings/iris/rf/log"));
        Assert.Equal(HttpStatusCode.OK, (await portal.Http.GetAsync("/api/v1/trainings/iris/rf/notebook")).StatusCode);
        await AssertRemovedAsync(api, job);

        // Restarted mid-training: the new portal finds the Job again and follows it to its end.
        var second = await LaunchAsync(portal, api, "again");
        var secondPod = RunPodOf(api, second);
        await WaitForStateAsync(portal.Http, "again", "RUNNING");
        await using (var restarted = await StartPortalAsync(api, await portal.StopKeepingDataAsync()))
        {
            await Task.Delay(500);
            api.SetPodPhase(Ns, secondPod, "Failed", 1, "Error");
            var failed = await WaitForStateAsync(restarted.Http, "again", "FAILED");
            Assert.Contains("exit code 1", failed.GetProperty("message").GetString());

            var third = await LaunchAsync(restarted, api, "cancelled");
            RunPodOf(api, third);
            await WaitForStateAsync(restarted.Http, "cancelled", "RUNNING");
            (await restarted.Http.PostAsync("/api/v1/trainings/iris/cancelled/cancel", null)).EnsureSuccessStatusCode();
            await WaitForStateAsync(restarted.Http, "cancelled", "CANCELLED");
            await AssertRemovedAsync(api, third);
        }
    }

    [Fact]
    public async Task Protocol_double_an_api_server_answering_503_for_a_minute_neither_fails_the_training_nor_loses_its_end()
    {
        await using var api = await KubeApiDouble.StartAsync();
        var dir = new TempDir();
        await using var portal = await StartPortalAsync(api, dir);
        await CreateProjectAsync(portal.Http, "iris", IrisDir);
        var job = await LaunchAsync(portal, api, "outage");
        var workDir = Path.Combine(dir.Path, "data", api.Get(Jobs, job)!["spec"]!["template"]!["spec"]!["containers"]![0]!["volumeMounts"]!
            .AsArray().Single(m => m!["mountPath"]!.GetValue<string>() == "/portal/work")!["subPath"]!.GetValue<string>());
        var pod = RunPodOf(api, job);
        await WaitForStateAsync(portal.Http, "outage", "RUNNING");
        api.WriteLog(pod, "2026-11-22T10:00:00.000000001Z epoch 1");

        api.Unavailable = true;
        var started = DateTime.UtcNow;
        JsonElement t;
        do
        {
            await Task.Delay(1000);
            t = await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/trainings/iris/outage");
            Assert.Equal("RUNNING", t.GetProperty("state").GetString());
        }
        while (DateTime.UtcNow - started < TimeSpan.FromSeconds(60));
        Assert.Equal(JsonValueKind.String, t.GetProperty("engine_unreachable_since").ValueKind);

        // The cluster goes on without its API server: the Job ends meanwhile, and the portal learns it once it can ask.
        api.WriteLog(pod, "2026-11-22T10:00:05.000000001Z epoch 2");
        await File.WriteAllTextAsync(Path.Combine(workDir, "output.ipynb"), await File.ReadAllTextAsync(Path.Combine(workDir, "input.ipynb")));
        api.SetPodPhase(Ns, pod, "Succeeded", 0);
        api.Unavailable = false;
        var finished = await WaitForStateAsync(portal.Http, "outage", "FINISHED");
        Assert.Equal(JsonValueKind.Null, finished.GetProperty("engine_unreachable_since").ValueKind);
        var log = await portal.Http.GetStringAsync("/api/v1/trainings/iris/outage/log");
        Assert.Contains("epoch 1", log);
        Assert.Contains("epoch 2", log);
        await AssertRemovedAsync(api, job);
    }
}
