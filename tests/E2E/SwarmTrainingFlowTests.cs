using System.Diagnostics;
using Microsoft.Playwright;
using Portal.Tests.E2E.Support;

namespace Portal.Tests.E2E;

/// <summary>A data scientist builds the iris example's image and trains it on Docker Swarm, all from the browser: from a home directory, and from a git repository only.</summary>
public class SwarmTrainingFlowTests
{
    [SkippableFact]
    public async Task Build_the_example_project_train_it_on_the_swarm_and_watch_it_live()
    {
        Browser.RequireChromium();
        await Docker.RequireSwarmAsync();
        await using var portal = await PortalProcess.StartAsync("container_manager:\n  type: swarm\n");
        await using var session = await BrowserSession.StartAsync(portal, nameof(Build_the_example_project_train_it_on_the_swarm_and_watch_it_live));
        var page = session.Page;
        Task Shot(string step) => session.ShotAsync(step);

        await session.RunAsync(async () =>
        {
            await page.GotoAsync("/projects/new");
            await Ui.FillAsync(page, "#project-name", "iris");
            await Ui.FillAsync(page, "#project-home-dir", Path.Combine(RepoPaths.Root, "deploy", "examples", "iris"));
            await page.ClickAsync("#save-project");
            await Ui.ExpectPathAsync(page, "/projects/iris");
            await Assertions.Expect(page.GetByText("No build versions yet")).ToBeVisibleAsync();

            await page.ClickAsync("#build-project");
            await Ui.ExpectPathAsync(page, "/projects/iris/builds/new");
            await Ui.FillAsync(page, "#build-tag", "v1");
            await Shot("01-build-form");
            await page.ClickAsync("#start-build");
            await Assertions.Expect(page.Locator("#log-view")).ToContainTextAsync("Step 1/", new() { Timeout = 60_000 });
            await Assertions.Expect(page.Locator(".state-badge")).ToHaveAttributeAsync("data-state", "SUCCEEDED", new() { Timeout = 180_000 });
            await Assertions.Expect(page.Locator("#log-view")).ToContainTextAsync("Recorded build version 'v1'");
            await Assertions.Expect(page.Locator("#build-image-id")).ToContainTextAsync("sha256:");
            await Shot("02-build-succeeded");

            await page.ClickAsync("#train-with-build");
            await Ui.ExpectPathAsync(page, "/trainings/new?project=iris&build_tag=v1");
            await Assertions.Expect(page.Locator("#training-build")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("portal/iris:v1"));
            await Ui.FillAsync(page, "#training-name", "swarm-live");
            await Ui.FillAsync(page, "#training-parameters-input", """{"n_estimators": 30, "pause": 1.5}""");
            await page.ClickAsync("#launch-training");
            await Ui.ExpectPathAsync(page, "/trainings/iris/swarm-live");

            var log = page.Locator("#log-view");
            await Assertions.Expect(log).ToContainTextAsync("step 1: 10 trees", new() { Timeout = 90_000 });
            await Assertions.Expect(page.Locator(".state-badge")).ToHaveAttributeAsync("data-state", "RUNNING");
            await Assertions.Expect(log).Not.ToContainTextAsync("test accuracy");
            await Shot("03-running-on-swarm");

            await Assertions.Expect(page.Locator(".state-badge")).ToHaveAttributeAsync("data-state", "FINISHED", new() { Timeout = 120_000 });
            await Assertions.Expect(log).ToContainTextAsync("test accuracy");
            await Assertions.Expect(page.Locator("#training-facts")).ToContainTextAsync("swarm");
            await Assertions.Expect(page.FrameLocator("#executed-notebook").Locator("body")).ToContainTextAsync("test accuracy");
            await Shot("04-finished");

            await page.GotoAsync("/projects/iris");
            await Assertions.Expect(page.Locator("#project-builds")).ToContainTextAsync("portal/iris:v1");
        });
    }

    [SkippableFact]
    public async Task A_git_only_project_is_built_from_its_repository_and_trains_the_notebook_inside_its_image()
    {
        Browser.RequireChromium();
        await Docker.RequireSwarmAsync();
        var repo = Path.Combine(Path.GetTempPath(), "portal-e2e", $"iris-git-{Guid.NewGuid():N}");
        Directory.CreateDirectory(repo);
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Root, "deploy", "examples", "iris"))) File.Copy(file, Path.Combine(repo, Path.GetFileName(file)));
        await GitAsync(repo, "init", "-q", "-b", "main");
        await GitAsync(repo, "add", ".");
        await GitAsync(repo, "commit", "-q", "-m", "iris");
        await using var portal = await PortalProcess.StartAsync("container_manager:\n  type: swarm\n");
        await using var session = await BrowserSession.StartAsync(portal, nameof(A_git_only_project_is_built_from_its_repository_and_trains_the_notebook_inside_its_image));
        var page = session.Page;

        await session.RunAsync(async () =>
        {
            await page.GotoAsync("/projects/new");
            await Ui.FillAsync(page, "#project-name", "iris-git");
            await Ui.FillAsync(page, "#project-git-repo", "file://" + repo);
            await page.ClickAsync("#save-project");
            await Ui.ExpectPathAsync(page, "/projects/iris-git");

            await page.ClickAsync("#build-project");
            await Ui.FillAsync(page, "#build-tag", "g1");
            await page.ClickAsync("#start-build");
            await Assertions.Expect(page.Locator(".state-badge")).ToHaveAttributeAsync("data-state", "SUCCEEDED", new() { Timeout = 180_000 });

            await page.ClickAsync("#train-with-build");
            await Assertions.Expect(page.GetByText("This project has no home directory: the notebook is read from the chosen build's image")).ToBeVisibleAsync();
            await page.ClickAsync("#training-build");
            await Assertions.Expect(page.GetByRole(AriaRole.Option)).ToHaveCountAsync(1);
            await Assertions.Expect(page.GetByRole(AriaRole.Option)).ToContainTextAsync("portal/iris-git:g1");
            await page.Keyboard.PressAsync("Escape");
            await session.ShotAsync("01-form-from-image");

            await Ui.FillAsync(page, "#training-notebook", "nope.ipynb");
            await page.ClickAsync("#launch-training");
            await Assertions.Expect(page.GetByText("looked for /app/nope.ipynb")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Ui.FillAsync(page, "#training-notebook", "train.ipynb");
            await Ui.FillAsync(page, "#training-name", "from-git");
            await page.ClickAsync("#launch-training");
            await Ui.ExpectPathAsync(page, "/trainings/iris-git/from-git");
            await Assertions.Expect(page.Locator(".state-badge")).ToHaveAttributeAsync("data-state", "FINISHED", new() { Timeout = 180_000 });
            await Assertions.Expect(page.Locator("#log-view")).ToContainTextAsync("test accuracy");
            await session.ShotAsync("02-finished-from-image");
        });
        Directory.Delete(repo, recursive: true);
    }

    private static async Task GitAsync(string dir, params string[] args)
    {
        var start = new ProcessStartInfo("git", ["-c", "user.name=E2E", "-c", "user.email=e2e@example.org", .. args]) { WorkingDirectory = dir, RedirectStandardError = true };
        using var git = Process.Start(start)!;
        var error = await git.StandardError.ReadToEndAsync();
        await git.WaitForExitAsync();
        if (git.ExitCode != 0) throw new InvalidOperationException($"git {string.Join(' ', args)}: {error}");
    }
}
