using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.Tests.E2E.Support;

namespace Portal.Tests.E2E;

/// <summary>A data scientist registers a project and a model, then uploads datasets, in Chromium against the real portal process.</summary>
public class RegistryFlowTests
{
    [SkippableFact]
    public async Task Create_project_and_model_then_upload_a_dataset_that_breaks_max_mb_and_one_that_fits()
    {
        Browser.RequireChromium();
        await using var portal = await PortalProcess.StartAsync();
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new() { BaseURL = portal.BaseUrl, ViewportSize = new() { Width = 1400, Height = 900 } });
        page.SetDefaultTimeout(20_000);
        const string test = nameof(Create_project_and_model_then_upload_a_dataset_that_breaks_max_mb_and_one_that_fits);
        async Task Shot(string step) => await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath(test, step), FullPage = true });

        try
        {
            // Project: a rule-breaking name first, then a valid one.
            await page.GotoAsync("/projects");
            await Assertions.Expect(page.GetByText("No projects yet")).ToBeVisibleAsync();
            await page.ClickAsync("#new-project");
            await page.WaitForURLAsync("**/projects/new");
            await FillAsync(page, "#project-name", "Iris Project");
            await FillAsync(page, "#project-git-repo", "https://git.example.com/team/iris.git");
            await page.ClickAsync("#save-project");
            await Assertions.Expect(page.Locator("#name-error")).ToContainTextAsync("only lowercase letters, digits and dashes");
            await Shot("01-project-invalid-name");
            await FillAsync(page, "#project-name", "iris-project");
            await FillAsync(page, "#project-desc", "Classifies iris flowers");
            await page.ClickAsync("#save-project");
            await page.WaitForURLAsync("**/projects/iris-project");
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("iris-project");
            await Shot("02-project-created");

            // Model with a data file spec limited to 0.01 MB.
            await page.GotoAsync("/models/new");
            await FillAsync(page, "#model-name", "iris");
            await page.ClickAsync("#add-data_files");
            await FillAsync(page, "input[name='data_files[0].name']", "train.csv");
            await FillAsync(page, "input[name='data_files[0].max_mb']", "0.01");
            await page.ClickAsync("#save-model");
            await page.WaitForURLAsync("**/models/iris");
            await Assertions.Expect(page.Locator(".spec-table").First).ToContainTextAsync("train.csv");
            await Assertions.Expect(page.Locator(".spec-table").First).ToContainTextAsync("0.01 MB");
            await Shot("03-model-created");

            // A dataset whose train.csv (20 KB) breaks max_mb: the error is shown and nothing is stored.
            await page.ClickAsync("#upload-dataset");
            await page.WaitForURLAsync("**/datasets/new?model=iris");
            await FillAsync(page, "#dataset-name", "too-big");
            await page.SetInputFilesAsync("#dataset-files-input", new FilePayload { Name = "train.csv", MimeType = "text/csv", Buffer = new byte[20_000] });
            await Assertions.Expect(page.Locator("#chosen-files")).ToContainTextAsync("larger than max_mb");
            await page.ClickAsync("#upload-button");
            await Assertions.Expect(page.Locator("#files-error")).ToContainTextAsync("allows at most 0.01 MB for it (max_mb)");
            await Shot("04-dataset-too-big");

            // A valid one: uploaded, then listed.
            await FillAsync(page, "#dataset-name", "iris-2026");
            var csv = System.Text.Encoding.UTF8.GetBytes("sepal_length,sepal_width,petal_length,petal_width,species\n5.1,3.5,1.4,0.2,setosa\n");
            await page.SetInputFilesAsync("#dataset-files-input", new FilePayload { Name = "train.csv", MimeType = "text/csv", Buffer = csv });
            await Assertions.Expect(page.Locator("#chosen-files")).ToContainTextAsync("ok");
            await page.ClickAsync("#upload-button");
            await page.WaitForURLAsync("**/datasets/iris/iris-2026");
            await Assertions.Expect(page.Locator("#dataset-files")).ToContainTextAsync("train.csv");
            await Shot("05-dataset-uploaded");

            await page.GotoAsync("/datasets");
            var grid = page.Locator("#datasets-grid");
            await Assertions.Expect(grid).ToContainTextAsync("iris-2026");
            await Assertions.Expect(grid).Not.ToContainTextAsync("too-big");
            await Shot("06-datasets-listed");

            // The downloaded file is the uploaded one.
            var download = await page.Context.APIRequest.GetAsync($"{portal.BaseUrl}/api/v1/models/iris/datasets/iris-2026/files/train.csv");
            Assert.Equal(csv, await download.BodyAsync());
        }
        catch
        {
            await Shot("failure");
            throw new Xunit.Sdk.XunitException($"E2E failed; screenshots in {Path.GetDirectoryName(Browser.ScreenshotPath(test, "x"))}. Portal output:\n{portal.Output}");
        }
    }

    /// <summary>Radzen inputs bind on 'change': fill, then leave the field so the value reaches the server.</summary>
    private static async Task FillAsync(IPage page, string selector, string value)
    {
        await page.FillAsync(selector, value);
        await page.Locator(selector).DispatchEventAsync("change");
    }
}
