using System.Net.Http.Json;
using Microsoft.Playwright;
using Portal.Tests.E2E.Support;

namespace Portal.Tests.E2E;

/// <summary>A team lead follows a deployment back to its data on the lineage graph and expands it a step at a time.</summary>
public class LineageFlowTests
{
    [SkippableFact]
    public async Task Follow_a_deployment_back_to_its_versions_and_dataset_on_the_graph()
    {
        Browser.RequireChromium();
        await using var portal = await PortalProcess.StartAsync();
        using (var http = await portal.ApiClientAsync())
        {
            (await http.PostAsJsonAsync("/api/v1/models", new
            {
                name = "iris-clf", model_files = new[] { new { name = "model.pkl", required = true } }, data_files = new[] { new { name = "rows.csv", required = true } },
            })).EnsureSuccessStatusCode();
            (await http.PostAsJsonAsync("/api/v1/projects", new { name = "iris", home_dir = Path.Combine(RepoPaths.Root, "deploy", "examples", "iris"), models = new[] { "iris-clf" } })).EnsureSuccessStatusCode();
            var data = new MultipartFormDataContent { { new StringContent("spring"), "name" }, { new ByteArrayContent("a,b\n1,2\n"u8.ToArray()), "files", "rows.csv" } };
            (await http.PostAsync("/api/v1/models/iris-clf/datasets", data)).EnsureSuccessStatusCode();
            foreach (var pretrained in new[] { "", "iris-clf/1" })
            {
                var form = new MultipartFormDataContent { { new StringContent("spring"), "dataset" }, { new StringContent(pretrained), "pretrained" }, { new ByteArrayContent([1, 2, 3]), "files", "model.pkl" } };
                (await http.PostAsync("/api/v1/models/iris-clf/versions", form)).EnsureSuccessStatusCode();
            }
            (await http.PostAsJsonAsync("/api/v1/deployments", new { name = "iris-api", project = "iris", model_version = "iris-clf/2", entry = "predict.py" })).EnsureSuccessStatusCode();
        }
        await using var session = await BrowserSession.StartAsync(portal, nameof(Follow_a_deployment_back_to_its_versions_and_dataset_on_the_graph));
        var page = session.Page;

        await session.RunAsync(async () =>
        {
            await page.GotoAsync("/lineage");
            await Assertions.Expect(page.GetByText("Pick a starting point")).ToBeVisibleAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "deployment iris-api" }).ClickAsync();
            await Ui.ExpectPathAsync(page, "/lineage/deployment/iris-api");
            var graph = page.Locator("#lineage-graph");
            await Assertions.Expect(graph).ToHaveAttributeAsync("data-nodes", "4");
            await Assertions.Expect(graph.Locator("canvas").First).ToBeAttachedAsync();
            await Assertions.Expect(page.Locator("#lineage-no-graph")).Not.ToBeVisibleAsync();
            var table = page.Locator("#lineage-table");
            foreach (var name in new[] { "iris-api", "iris-clf/2", "iris-clf/1", "iris-clf/spring" })
                await Assertions.Expect(table.Locator($"a:text-is('{name}')")).ToBeVisibleAsync();
            await Assertions.Expect(table).ToContainTextAsync("iris-clf/1 (pretrained)");
            await session.ShotAsync("01-deployment-lineage");

            // One step at a time: from the deployment alone, expand the version to reach its data and its parent.
            await page.GotoAsync("/lineage/deployment/iris-api?depth=1");
            await Assertions.Expect(graph).ToHaveAttributeAsync("data-nodes", "2");
            await table.Locator("a:text-is('iris-clf/2')").ClickAsync();
            await Assertions.Expect(page.Locator("#lineage-selected-name")).ToHaveTextAsync("iris-clf/2");
            await page.ClickAsync("#lineage-expand");
            await Assertions.Expect(graph).ToHaveAttributeAsync("data-nodes", "4");
            await Assertions.Expect(table.Locator("a:text-is('iris-clf/spring')")).ToBeVisibleAsync();
            await page.ClickAsync("#lineage-open");
            await Ui.ExpectPathAsync(page, "/models/iris-clf/versions/2");
            await session.ShotAsync("02-expanded-then-opened");
            await page.ClickAsync("#open-lineage");
            await Ui.ExpectPathAsync(page, "/lineage/version/iris-clf/2");
            await Assertions.Expect(graph).ToHaveAttributeAsync("data-nodes", "4");

            await page.GotoAsync("/lineage");
            await Ui.FillAsync(page, "#lineage-name", "iris-clf/404");
            await page.ClickAsync("#lineage-show");
            await Assertions.Expect(page.GetByText("There is no version named 'iris-clf/404'")).ToBeVisibleAsync();
        });
    }
}
