using System.Net.Http.Json;
using System.Text.Json;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Trainings;

/// <summary>
/// Metrics over steps from a real notebook: the toolkit's log_metrics(step=…) and log_metric become series the API returns
/// exactly as logged, the last values become the training's metrics, and a bad report is refused by field.
/// </summary>
public sealed class TrainingCurvesTests
{
    [SkippableFact]
    public async Task A_notebook_logging_three_metrics_over_fifty_steps_gets_curves_that_match_what_it_logged()
    {
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync();
        var home = WriteNotebook(portal.Dir, "proj", "x = 1", """
            import portal_toolkit as pt
            for step in range(50):
                pt.log_metrics(step=step, loss=1 / (step + 1), accuracy=step / 50, lr=0.1 * 0.9 ** step)
            pt.log_metric("note", 3.0)
            pt.log_metric("note", 4.0)
            """, """
            import json, os, urllib.request, urllib.error
            bad = {"points": [{"name": "", "step": -1, "value": 1.0}]}
            request = urllib.request.Request(os.environ["PORTAL_API_URL"].rstrip("/") + "/api/v1/tasks/report", data=json.dumps(bad).encode(),
                method="POST", headers={"Content-Type": "application/json", "Authorization": "Bearer " + os.environ["PORTAL_TASK_TOKEN"]})
            try:
                urllib.request.urlopen(request)
                print("BAD=200", flush=True)
            except urllib.error.HTTPError as e:
                print(f"BAD={e.code} {e.read().decode()}", flush=True)
            """);
        await CreateProjectAsync(portal.Http, "p", home);
        (await portal.Http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name = "curves", notebook = "nb.ipynb" })).EnsureSuccessStatusCode();
        var training = await AssertFinishesAsync(portal.Http, "p", "curves", 120);

        var series = await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/trainings/p/curves/metrics");
        Assert.Equal(["accuracy", "loss", "lr", "note"], series.EnumerateObject().Select(m => m.Name).Order());
        var loss = series.GetProperty("loss").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, 50).Select(s => (long)s), loss.Select(p => p.GetProperty("step").GetInt64()));
        Assert.All(loss, p => Assert.Equal(1.0 / (p.GetProperty("step").GetInt64() + 1), p.GetProperty("value").GetDouble(), 12));
        Assert.All(series.GetProperty("lr").EnumerateArray(), p => Assert.Equal(0.1 * Math.Pow(0.9, p.GetProperty("step").GetInt64()), p.GetProperty("value").GetDouble(), 12));
        Assert.Equal(49.0 / 50, series.GetProperty("accuracy")[49].GetProperty("value").GetDouble(), 12);
        // Without a step, each call takes the next one.
        Assert.Equal([(0L, 3.0), (1L, 4.0)], series.GetProperty("note").EnumerateArray().Select(p => (p.GetProperty("step").GetInt64(), p.GetProperty("value").GetDouble())));
        // The last value of each is the training's result.
        Assert.Equal(1.0 / 50, training.GetProperty("metrics").GetProperty("loss").GetDouble(), 12);
        Assert.Equal(4.0, training.GetProperty("metrics").GetProperty("note").GetDouble());

        var log = await portal.Http.GetStringAsync("/api/v1/trainings/p/curves/log");
        Assert.Contains("BAD=400", log);
        Assert.Contains("points[0].name", log);
        Assert.Contains("points[0].step", log);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await portal.Http.GetAsync("/api/v1/trainings/p/nope/metrics")).StatusCode);
    }

    [SkippableFact]
    public async Task Compared_runs_show_which_parameters_and_metrics_differ_with_their_series_and_bad_selections_are_refused()
    {
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync();
        var home = WriteNotebook(portal.Dir, "proj", "lr = 0.1\nseed = 7", """
            import portal_toolkit as pt
            for step in range(5):
                pt.log_metrics(step=step, loss=lr / (step + 1))
            """);
        await CreateProjectAsync(portal.Http, "p", home);
        foreach (var (name, lr) in new[] { ("slow", 0.01), ("fast", 0.5) })
        {
            (await portal.Http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name, notebook = "nb.ipynb", parameters = new { lr } })).EnsureSuccessStatusCode();
            await AssertFinishesAsync(portal.Http, "p", name, 120);
        }

        var compared = await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/trainings/compare?runs=p/slow,p/fast");
        Assert.Equal(["p/slow", "p/fast"], compared.GetProperty("runs").EnumerateArray().Select(r => $"{r.GetProperty("project").GetString()}/{r.GetProperty("name").GetString()}"));
        Assert.Equal(["lr"], compared.GetProperty("differing_parameters").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(["loss"], compared.GetProperty("differing_metrics").EnumerateArray().Select(p => p.GetString()));
        var fast = compared.GetProperty("runs")[1];
        Assert.Equal(0.5 / 5, fast.GetProperty("metrics").GetProperty("loss").GetDouble(), 12);
        Assert.Equal(5, fast.GetProperty("series").GetProperty("loss").GetArrayLength());

        var one = await portal.Http.GetAsync("/api/v1/trainings/compare?runs=p/slow");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, one.StatusCode);
        Assert.Contains("Compare 2 to 50 trainings, not 1", await one.Content.ReadAsStringAsync());
        var unknown = await portal.Http.GetAsync("/api/v1/trainings/compare?runs=p/slow&runs=p/nope");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("There is no training 'p/nope'", await unknown.Content.ReadAsStringAsync());
        var many = await portal.Http.GetAsync("/api/v1/trainings/compare?runs=" + string.Join(',', Enumerable.Range(0, 51).Select(i => $"p/t{i}")));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, many.StatusCode);
    }
}
