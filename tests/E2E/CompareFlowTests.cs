using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Portal.Tests.E2E.Support;

namespace Portal.Tests.E2E;

/// <summary>
/// A data scientist picks ten real trainings on the trainings page, compares them, and drags along the metric's axis of
/// the parallel coordinates to keep the best half (screenshots of both).
/// </summary>
public class CompareFlowTests
{
    private static string Notebook(params string[] cells) => JsonSerializer.Serialize(new
    {
        cells = cells.Select((code, i) => new
        {
            cell_type = "code", execution_count = (int?)null, id = $"c{i}", outputs = Array.Empty<object>(), source = code,
            metadata = new { tags = i == 0 ? new[] { "parameters" } : [] },
        }),
        metadata = new { kernelspec = new { name = "python3", display_name = "Python 3", language = "python" } },
        nbformat = 4, nbformat_minor = 5,
    });

    [SkippableFact]
    public async Task Ten_trainings_are_compared_and_dragging_along_the_metric_axis_keeps_the_best_half()
    {
        Browser.RequireChromium();
        var home = Path.Combine(Path.GetTempPath(), "portal-e2e", $"sweep-{Guid.NewGuid():N}");
        Directory.CreateDirectory(home);
        await File.WriteAllTextAsync(Path.Combine(home, "nb.ipynb"), Notebook("n = 1",
            "import portal_toolkit as pt\nfor s in range(5):\n    pt.log_metrics(step=s, score=n * (s + 1) / 50)"));
        await using var portal = await PortalProcess.StartAsync();
        using (var api = await portal.ApiClientAsync())
        {
            (await api.PostAsJsonAsync("/api/v1/projects", new { name = "p", home_dir = home })).EnsureSuccessStatusCode();
            for (var n = 1; n <= 10; n++)
                (await api.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name = $"n{n}", notebook = "nb.ipynb", parameters = new { n } }))
                    .EnsureSuccessStatusCode();
            for (var i = 0; i < 480; i++, await Task.Delay(250))
            {
                var listed = await api.GetFromJsonAsync<JsonElement>("/api/v1/trainings?take=50");
                var states = listed.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("state").GetString()).ToList();
                if (states.All(s => s is not ("WAITING" or "RUNNING"))) break;
            }
        }
        await using var session = await BrowserSession.StartAsync(portal, nameof(Ten_trainings_are_compared_and_dragging_along_the_metric_axis_keeps_the_best_half));
        var page = session.Page;

        await session.RunAsync(async () =>
        {
            await page.GotoAsync("/trainings");
            var boxes = page.Locator("#trainings-grid tbody input[type=checkbox]");
            await Assertions.Expect(boxes).ToHaveCountAsync(10);
            for (var i = 0; i < 10; i++) await boxes.Nth(i).CheckAsync();
            await Assertions.Expect(page.Locator("#compare-selected")).ToContainTextAsync("(10)");
            await page.ClickAsync("#compare-selected");
            await Assertions.Expect(page.Locator("#compare-table thead th[data-run]")).ToHaveCountAsync(10);
            await Assertions.Expect(page.Locator("#compare-table tr[data-parameter='n']")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("differs"));
            await Assertions.Expect(page.Locator("#parallel-coordinates polyline.pc-match")).ToHaveCountAsync(10);
            await Assertions.Expect(page.Locator("#compare-curve-score svg").First).ToBeVisibleAsync();
            await session.ShotAsync("01-ten-runs-compared");

            // The score axis is the second (x = 200); drag from its top (score 1.0) to its middle (0.55): runs n6..n10 stay.
            var box = (await page.Locator("#parallel-coordinates").BoundingBoxAsync())!;
            await page.Mouse.MoveAsync(box.X + 200, box.Y + 28);
            await page.Mouse.DownAsync();
            await page.Mouse.MoveAsync(box.X + 200, box.Y + 100, new() { Steps = 5 });
            await page.Mouse.MoveAsync(box.X + 200, box.Y + 139, new() { Steps = 5 });
            await page.Mouse.UpAsync();
            await Assertions.Expect(page.Locator("#pc-matching")).ToHaveTextAsync("5 of 10 runs are inside the ranges.");
            await Assertions.Expect(page.Locator("#parallel-coordinates polyline.pc-match")).ToHaveCountAsync(5);
            await Assertions.Expect(page.Locator("#compare-table thead th.faded")).ToHaveCountAsync(5);
            await session.ShotAsync("02-filtered-to-the-best-half");
        });
    }
}
