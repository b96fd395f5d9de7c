using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Core.Deployments;
using Portal.Core.Entities;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Deployments.DeploymentTests;

namespace Portal.Tests.Unit.Deployments;

/// <summary>
/// Live accuracy: feedback joined to the router's records by Request-ID and scored by the model's kind, on a real iris
/// deployment; a threshold raises an alert that is recorded, audited, and launches the configured retraining.
/// </summary>
public sealed class LiveAccuracyTests
{
    [Fact]
    public void Classes_are_scored_row_by_row_and_numbers_by_mae_and_rmse()
    {
        PredictionRecord Record(string response, string feedback) => new() { Response = response, Feedback = feedback };
        var classes = AccuracyScore.Of(ModelKind.Classification,
        [
            Record("""{"prediction": [["setosa"], ["virginica"]]}""", """{"truth": ["setosa", "setosa"]}"""),
            Record("""{"prediction": ["versicolor"]}""", """{"label": "versicolor"}"""),
            Record("""{"prediction": [1, 0]}""", """[1.0, 0]"""),
            // Not JSON, or no truth: left out, not counted wrong.
            Record("""{"prediction": ["setosa"]}""", "not json"),
            Record("""{"prediction": ["setosa"]}""", """{"comment": "nice"}"""),
        ]);
        Assert.Equal((3, 5), (classes.Labelled, classes.Rows));
        Assert.Equal(0.8, classes.Accuracy!.Value, 6);

        var numbers = AccuracyScore.Of(ModelKind.Regression,
        [
            Record("""{"prediction": [2.0, 4.0]}""", """{"truth": [1.0, 4.0]}"""),
            Record("""{"prediction": [[10]]}""", """{"actual": 13}"""),
        ]);
        Assert.Equal((2, 3), (numbers.Labelled, numbers.Rows));
        Assert.Equal(4.0 / 3, numbers.Mae!.Value, 6);
        Assert.Equal(Math.Sqrt(10.0 / 3), numbers.Rmse!.Value, 6);
    }

    [SkippableFact]
    public async Task Feedback_on_200_requests_gives_the_expected_accuracy_and_crossing_the_threshold_raises_one_alert_with_a_retraining()
    {
        RealPython.Require();
        // The retraining runs with a data scientist's rights: the project's folder must be one users may work under.
        await using var portal = await StartWithIrisVersionAsync("local", extraYaml: $"security:\n  host_paths: [{System.Text.Json.JsonSerializer.Serialize(Portal.Tests.Unit.Trainings.TrainingRunTests.IrisDir)}]\n");
        (await portal.Http.PutAsJsonAsync("/api/v1/models/iris-clf", new
        {
            name = "iris-clf", kind = "classification", model_files = new[] { new { name = "model.pkl", required = true } },
        })).EnsureSuccessStatusCode();
        (await portal.Http.PostAsJsonAsync("/api/v1/deployments", new { name = "iris-live", project = "iris", model_version = "iris-clf/1", entry = "predict.py" }))
            .EnsureSuccessStatusCode();
        await WaitUntilServingAsync(portal.Http, "iris-live");

        var refused = await portal.Http.PutAsJsonAsync("/api/v1/deployments/iris-live/alert", new { threshold = 90, window_minutes = 0, retrain_notebook = "../x.ipynb" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "threshold", "window_minutes", "retrain_notebook" }) Assert.True(errors.TryGetProperty(field, out _), field);
        (await portal.Http.PutAsJsonAsync("/api/v1/deployments/iris-live/alert", new
        {
            threshold = 0.9, window_minutes = 60, min_labelled = 50, retrain_notebook = "train.ipynb",
        })).EnsureSuccessStatusCode();

        // 200 predictions of a setosa flower; feedback says setosa for 150 and virginica for 50: accuracy 0.75.
        for (var i = 0; i < 200; i++)
        {
            using var answer = await InvokeAsync(portal.Http, "iris-live", $"live-{i}");
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }
        for (var i = 0; i < 200; i++)
        {
            using var feedback = new HttpRequestMessage(HttpMethod.Post, "/feedback/model/iris-live")
                { Content = new StringContent(i % 4 == 3 ? """{"truth": ["virginica", "virginica"]}""" : """{"truth": ["setosa", "virginica"]}""") };
            feedback.Headers.Add("Request-ID", $"live-{i}");
            using var stored = await portal.Http.SendAsync(feedback);
            Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        }
        var report = await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/deployments/iris-live/accuracy?hours=1&bucket_minutes=10");
        Assert.Equal("classification", report.GetProperty("kind").GetString());
        var overall = report.GetProperty("overall");
        Assert.Equal(200, overall.GetProperty("labelled").GetInt32());
        // Each request scored two rows (the second is virginica, right every time): (150 + 200) / 400.
        Assert.Equal(400, overall.GetProperty("rows").GetInt32());
        Assert.Equal(0.875, overall.GetProperty("accuracy").GetDouble(), 6);
        Assert.Equal("iris-clf/1", report.GetProperty("by_version")[0].GetProperty("version").GetString());
        Assert.Equal(6, report.GetProperty("series").GetArrayLength());
        Assert.Equal(200, report.GetProperty("series").EnumerateArray().Sum(p => p.GetProperty("score").GetProperty("labelled").GetInt32()));

        JsonElement alert = default;
        for (var i = 0; i < 100 && alert.ValueKind != JsonValueKind.Object; i++)
        {
            var d = await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/deployments/iris-live");
            if (d.TryGetProperty("last_alert", out var a)) alert = a;
            if (alert.ValueKind != JsonValueKind.Object) await Task.Delay(200);
        }
        Assert.Equal(JsonValueKind.Object, alert.ValueKind);
        // The watch checks while feedback still arrives (at most every 2 s), so the alert may be raised on the first k
        // labelled requests, k at least min_labelled: k setosa rows of which every fourth was wrong, plus k right rows.
        var k = alert.GetProperty("labelled").GetInt32();
        Assert.InRange(k, 50, 200);
        Assert.Equal((2.0 * k - (k + 1) / 4) / (2.0 * k), alert.GetProperty("value").GetDouble(), 6);
        var retraining = alert.GetProperty("retraining").GetString();
        Assert.False(string.IsNullOrEmpty(retraining), alert.ToString());
        Assert.Equal(HttpStatusCode.OK, (await portal.Http.GetAsync($"/api/v1/trainings/iris/{retraining}")).StatusCode);
        var audit = await portal.Http.GetStringAsync("/api/v1/audit?action=accuracy%20alert");
        Assert.Contains("accuracy alert", audit);
        Assert.Contains("iris-live", audit);

        // One alert per window: more bad feedback does not raise another (nor launch another training).
        using (var more = await InvokeAsync(portal.Http, "iris-live", "live-extra")) Assert.Equal(HttpStatusCode.OK, more.StatusCode);
        using (var feedback = new HttpRequestMessage(HttpMethod.Post, "/feedback/model/iris-live") { Content = new StringContent("""{"truth": "virginica"}""") })
        {
            feedback.Headers.Add("Request-ID", "live-extra");
            (await portal.Http.SendAsync(feedback)).EnsureSuccessStatusCode();
        }
        await Task.Delay(3000);
        var after = (await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/deployments/iris-live")).GetProperty("last_alert");
        Assert.Equal(alert.GetProperty("at").GetString(), after.GetProperty("at").GetString());
    }
}
