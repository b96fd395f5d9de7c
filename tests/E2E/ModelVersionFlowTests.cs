using System.Net.Http.Json;
using Microsoft.Playwright;
using Portal.Tests.E2E.Support;

namespace Portal.Tests.E2E;

/// <summary>A team lead uploads two versions, compares them by a metric, promotes the better one and deletes the other.</summary>
public class ModelVersionFlowTests
{
    [SkippableFact]
    public async Task Upload_versions_compare_a_metric_promote_the_best_and_delete_the_other()
    {
        Browser.RequireChromium();
        await using var portal = await PortalProcess.StartAsync();
        using (var http = await portal.ApiClientAsync())
            (await http.PostAsJsonAsync("/api/v1/models", new { name = "iris-clf", model_files = new[] { new { name = "model.pkl", required = true, max_mb = 1 } } })).EnsureSuccessStatusCode();
        await using var session = await BrowserSession.StartAsync(portal, nameof(Upload_versions_compare_a_metric_promote_the_best_and_delete_the_other));
        var page = session.Page;

        await session.RunAsync(async () =>
        {
            await page.GotoAsync("/model-versions");
            await Assertions.Expect(page.GetByText("No model versions yet")).ToBeVisibleAsync();

            foreach (var (auc, expected) in new[] { ("0.81", "1"), ("0.93", "2") })
            {
                await page.GotoAsync("/model-versions/new?model=iris-clf");
                await Assertions.Expect(page.Locator("#chosen-files")).Not.ToBeVisibleAsync();
                await page.SetInputFilesAsync("#version-files-input", new FilePayload { Name = "model.pkl", MimeType = "application/octet-stream", Buffer = [1, 2, 3] });
                await Assertions.Expect(page.Locator("#chosen-files")).ToContainTextAsync("model.pkl");
                await Ui.FillAsync(page, "#version-details-input", $$"""{"auc": {{auc}}}""");
                await page.ClickAsync("#upload-version-button");
                await Ui.ExpectPathAsync(page, $"/models/iris-clf/versions/{expected}");
            }
            await Assertions.Expect(page.Locator("#version-details")).ToContainTextAsync("0.93");
            await session.ShotAsync("01-version-detail");

            await page.GotoAsync("/model-versions?model=iris-clf");
            var table = page.Locator("#versions-table");
            await Assertions.Expect(table.Locator("thead")).ToContainTextAsync("auc");
            // The newest version (0.93) is first before any sort: each click is known to have landed by its arrow.
            var sortByAuc = page.GetByRole(AriaRole.Button, new() { Name = "Sort by auc" });
            await sortByAuc.ClickAsync();
            await Assertions.Expect(sortByAuc).ToContainTextAsync("▼");
            await Assertions.Expect(table.Locator("tbody tr").First).ToContainTextAsync("0.93");
            await sortByAuc.ClickAsync();
            await Assertions.Expect(sortByAuc).ToContainTextAsync("▲");
            await Assertions.Expect(table.Locator("tbody tr").First).ToContainTextAsync("0.81");
            await session.ShotAsync("02-compared");

            await page.GotoAsync("/models/iris-clf/versions/2");
            await page.ClickAsync("#promote-version");
            await Ui.FillAsync(page, "#promote-comment", "best auc on the holdout set");
            await page.ClickAsync("#confirm-promotion");
            await Assertions.Expect(page.Locator("#version-promotions")).ToContainTextAsync("best auc on the holdout set");
            await Assertions.Expect(page.Locator(".env-badges").First).ToHaveAttributeAsync("data-environments", "dev,test");
            await Assertions.Expect(page.Locator("#promote-version")).ToContainTextAsync("Promote to prod");
            await session.ShotAsync("03-promoted");

            await page.GotoAsync("/models/iris-clf/versions/1");
            await page.ClickAsync("#delete-version");
            await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
            await Ui.ExpectPathAsync(page, "/model-versions?model=iris-clf");
            await Assertions.Expect(page.Locator("#versions-table tbody tr")).ToHaveCountAsync(1);
        });
    }
}
