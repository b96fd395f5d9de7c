using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Portal.Tests.E2E.Support;

namespace Portal.Tests.E2E;

/// <summary>A team lead reads the dashboard after real trainings ran (one fine, one broken), as charts and as tables.</summary>
public class DashboardFlowTests
{
    [SkippableFact]
    public async Task Read_trainings_and_version_metrics_on_the_team_dashboard_as_charts_and_tables()
    {
        Browser.RequireChromium();
        await using var portal = await PortalProcess.StartAsync();
        using (var http = await portal.ApiClientAsync())
        {
            (await http.PostAsJsonAsync("/api/v1/models", new { name = "iris-clf", model_files = new[] { new { name = "model.pkl", required = true } } })).EnsureSuccessStatusCode();
            (await http.PostAsJsonAsync("/api/v1/projects", new { name = "iris", home_dir = Path.Combine(RepoPaths.Root, "deploy", "examples", "iris"), models = new[] { "iris-clf" } })).EnsureSuccessStatusCode();
            // test_size 2.0 makes scikit-learn refuse the split: a real failure.
            foreach (var (name, testSize) in new[] { ("fine", 0.3), ("broken", 2.0) })
                (await http.PostAsJsonAsync("/api/v1/trainings", new { project = "iris", name, notebook = "train.ipynb", parameters = new { n_estimators = 5, test_size = testSize } })).EnsureSuccessStatusCode();
            foreach (var name in new[] { "fine", "broken" })
                await WaitForEndAsync(http, name);
            foreach (var auc in new[] { "0.81", "0.93", "0.88" })
            {
                var form = new MultipartFormDataContent { { new StringContent($$"""{"auc": {{auc}}}"""), "details" }, { new ByteArrayContent([1, 2, 3]), "files", "model.pkl" } };
                (await http.PostAsync("/api/v1/models/iris-clf/versions", form)).EnsureSuccessStatusCode();
            }
        }
        await using var session = await BrowserSession.StartAsync(portal, nameof(Read_trainings_and_version_metrics_on_the_team_dashboard_as_charts_and_tables));
        var page = session.Page;

        await session.RunAsync(async () =>
        {
            await page.GotoAsync("/dashboards");
            await Assertions.Expect(page.Locator("#kpi-trainings .kpi-value")).ToHaveTextAsync("2");
            await Assertions.Expect(page.Locator("#kpi-success .kpi-value")).ToHaveTextAsync("50 %");
            await Assertions.Expect(page.Locator("#chart-per-day svg").First).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#chart-metric svg").First).ToBeVisibleAsync();
            await session.ShotAsync("01-charts");

            await page.Locator("#chart-per-day").GetByText("Table", new() { Exact = true }).ClickAsync();
            var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            await Assertions.Expect(page.Locator("#table-per-day tbody tr")).ToHaveTextAsync([$"{today}110002"]);
            await page.Locator("#chart-failing").GetByText("Table", new() { Exact = true }).ClickAsync();
            await Assertions.Expect(page.Locator("#table-failing tbody tr")).ToHaveTextAsync(["iris1250 %"]);
            await page.Locator("#chart-metric").GetByText("Table", new() { Exact = true }).ClickAsync();
            await Assertions.Expect(page.Locator("#table-metric .best-row")).ToContainTextAsync("2 (best)");
            await page.Locator("#chart-resources").GetByText("Table", new() { Exact = true }).ClickAsync();
            var train = page.Locator("#table-resources tbody tr").Filter(new() { HasText = "nha-train" });
            await Assertions.Expect(train.Locator("td").Nth(1)).ToHaveTextAsync("2");
            await Assertions.Expect(train.Locator("td").Nth(3)).ToHaveTextAsync("0");
            await Assertions.Expect(page.Locator("#table-resources thead")).ToContainTextAsync("IDE hours");
            await session.ShotAsync("02-tables");
        });
    }

    private static async Task WaitForEndAsync(HttpClient http, string name)
    {
        for (var i = 0; i < 480; i++)
        {
            var t = await http.GetFromJsonAsync<JsonElement>($"/api/v1/trainings/iris/{name}");
            if (t.GetProperty("state").GetString() is "FINISHED" or "FAILED" or "CANCELLED") return;
            await Task.Delay(250);
        }
        throw new TimeoutException($"training {name} did not end in 2 minutes");
    }
}
