using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Portal.Tests.E2E.Support;

namespace Portal.Tests.E2E;

/// <summary>A data scientist deploys a model version on the swarm from its page, tries it in the console, scales it and removes it.</summary>
public class DeploymentFlowTests
{
    [SkippableFact]
    public async Task Deploy_a_version_try_it_in_the_console_scale_it_and_remove_it()
    {
        Browser.RequireChromium();
        await Docker.RequireSwarmAsync();
        await using var portal = await PortalProcess.StartAsync("container_manager:\n  type: swarm\n");
        var pickle = Path.Combine(portal.Root, "model.pkl");
        using (var python = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c",
                   "import pickle,sys\nfrom sklearn.datasets import load_iris\nfrom sklearn.ensemble import RandomForestClassifier\n" +
                   "X,y=load_iris(return_X_y=True)\npickle.dump(RandomForestClassifier(n_estimators=10,random_state=1).fit(X,y),open(sys.argv[1],'wb'))", pickle]))!)
            await python.WaitForExitAsync();
        using (var http = await portal.ApiClientAsync())
        {
            (await http.PostAsJsonAsync("/api/v1/models", new { name = "iris-clf", model_files = new[] { new { name = "model.pkl", required = true } } })).EnsureSuccessStatusCode();
            (await http.PostAsJsonAsync("/api/v1/projects", new { name = "iris", home_dir = Path.Combine(RepoPaths.Root, "deploy", "examples", "iris"), models = new[] { "iris-clf" } })).EnsureSuccessStatusCode();
            var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(await File.ReadAllBytesAsync(pickle));
            file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(file, "files", "model.pkl");
            (await http.PostAsync("/api/v1/models/iris-clf/versions", form)).EnsureSuccessStatusCode();
        }
        await using var session = await BrowserSession.StartAsync(portal, nameof(Deploy_a_version_try_it_in_the_console_scale_it_and_remove_it));
        var page = session.Page;

        await session.RunAsync(async () =>
        {
            await page.GotoAsync("/models/iris-clf/versions/1");
            await page.ClickAsync("#deploy-version");
            await Ui.ExpectPathAsync(page, "/deployments/new?model_version=iris-clf%2F1");
            await Assertions.Expect(page.Locator("#deployment-version")).ToHaveValueAsync("iris-clf/1");
            await Ui.FillAsync(page, "#deployment-name", "iris-api");
            await Ui.FillAsync(page, "#deployment-replicas", "2");
            await session.ShotAsync("01-form");
            await page.ClickAsync("#deploy-button");
            await Ui.ExpectPathAsync(page, "/deployments/iris-api");
            await Assertions.Expect(page.Locator("#replicas-badge")).ToHaveAttributeAsync("data-running", "2", new() { Timeout = 120_000 });

            // The console's example comes from the model's declared input columns once a replica answers.
            await page.ReloadAsync();
            await Assertions.Expect(page.Locator("#console-request")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("sepal_length"), new() { Timeout = 30_000 });
            await Ui.FillAsync(page, "#console-request", """{"columns": ["sepal_length", "sepal_width", "petal_length", "petal_width"], "data": [[5.1, 3.5, 1.4, 0.2]]}""");
            await page.ClickAsync("#console-send");
            await Assertions.Expect(page.Locator("#console-response")).ToContainTextAsync("setosa");
            await Assertions.Expect(page.Locator("#console-status")).ToContainTextAsync("200");
            await Assertions.Expect(page.Locator("#recent-requests")).ToContainTextAsync("iris-clf/1");
            await Assertions.Expect(page.Locator("#workload-log")).ToContainTextAsync("serving iris-clf 1 on port");
            await session.ShotAsync("02-served");

            await Ui.FillAsync(page, "#scale-to", "3");
            await page.ClickAsync("#scale-deployment");
            await Assertions.Expect(page.Locator("#replicas-badge")).ToHaveAttributeAsync("data-running", "3", new() { Timeout = 120_000 });

            await page.ClickAsync("#stop-deployment");
            await Assertions.Expect(page.Locator("#replicas-badge")).ToHaveTextAsync("STOPPED");

            await page.ClickAsync("#remove-deployment");
            await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
            await Ui.ExpectPathAsync(page, "/deployments");
            await Assertions.Expect(page.GetByText("No deployments yet")).ToBeVisibleAsync();
        });
    }
}
