using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.Tests.E2E.Support;

namespace Portal.Tests.E2E;

/// <summary>A data scientist trains the iris example from the browser and watches it run, on the embedded local manager.</summary>
public class TrainingFlowTests
{
    [SkippableFact]
    public async Task Launch_the_iris_training_with_parameters_watch_the_log_live_and_open_the_executed_notebook()
    {
        Browser.RequireChromium();
        await using var portal = await PortalProcess.StartAsync();
        await using var session = await BrowserSession.StartAsync(portal, nameof(Launch_the_iris_training_with_parameters_watch_the_log_live_and_open_the_executed_notebook));
        var page = session.Page;
        Task Shot(string step) => session.ShotAsync(step);

        await session.RunAsync(async () =>
        {
            await page.GotoAsync("/projects/new");
            await Ui.FillAsync(page, "#project-name", "iris");
            await Ui.FillAsync(page, "#project-home-dir", Path.Combine(RepoPaths.Root, "deploy", "examples", "iris"));
            await page.ClickAsync("#save-project");
            await Ui.ExpectPathAsync(page, "/projects/iris");

            await page.ClickAsync("#train-project");
            await Ui.ExpectPathAsync(page, "/trainings/new?project=iris");
            await Ui.FillAsync(page, "#training-name", "rf-live");
            await Ui.FillAsync(page, "#training-parameters-input", """{"n_estimators": 30, "pause": 1.5}""");
            await Assertions.Expect(page.GetByText("2 parameters: n_estimators, pause")).ToBeVisibleAsync();
            await Shot("01-launch-form");
            await page.ClickAsync("#launch-training");
            await Ui.ExpectPathAsync(page, "/trainings/iris/rf-live");

            // Lines arrive while the notebook is still running.
            var log = page.Locator("#log-view");
            await Assertions.Expect(log).ToContainTextAsync("step 1: 10 trees");
            await Assertions.Expect(page.Locator(".state-badge")).ToHaveAttributeAsync("data-state", "RUNNING");
            await Assertions.Expect(log).Not.ToContainTextAsync("test accuracy");
            await Shot("02-running-with-live-log");

            await Assertions.Expect(page.Locator(".state-badge")).ToHaveAttributeAsync("data-state", "FINISHED", new() { Timeout = 90_000 });
            await Assertions.Expect(log).ToContainTextAsync("test accuracy");
            await Assertions.Expect(page.Locator("#training-metrics")).ToContainTextAsync("accuracy");
            var notebook = page.FrameLocator("#executed-notebook");
            await Assertions.Expect(notebook.Locator("body")).ToContainTextAsync("test accuracy");
            await Shot("03-finished-with-notebook");

            await page.GotoAsync("/trainings");
            await Assertions.Expect(page.Locator("#trainings-grid")).ToContainTextAsync("rf-live");
            await Assertions.Expect(page.Locator("#trainings-grid .state-badge").First).ToHaveAttributeAsync("data-state", "FINISHED");
        });
    }
}
