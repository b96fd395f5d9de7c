using Microsoft.Playwright;
using Portal.Tests.E2E.Support;

namespace Portal.Tests.E2E;

/// <summary>A data scientist opens Jupyter from the IDE page and sees its file tree inside the portal, then stops it.</summary>
public class IdeFlowTests
{
    [SkippableFact]
    public async Task Open_the_ide_see_the_jupyter_tree_inside_the_portal_and_stop_it()
    {
        Browser.RequireChromium();
        await Docker.RequireSwarmAsync();
        await using var portal = await PortalProcess.StartAsync("container_manager:\n  type: swarm\n");
        await using var session = await BrowserSession.StartAsync(portal, nameof(Open_the_ide_see_the_jupyter_tree_inside_the_portal_and_stop_it));
        var page = session.Page;

        await session.RunAsync(async () =>
        {
            await page.GotoAsync("/ide");
            await Assertions.Expect(page.GetByText("No sessions yet")).ToBeVisibleAsync();
            await Ui.FillAsync(page, "#ide-name", "e2e-lab");
            await page.ClickAsync("#open-ide");
            await Ui.ExpectPathAsync(page, "/ide-sessions/e2e-lab");
            var jupyter = page.FrameLocator("#ide-frame");
            // Seen twice in about a dozen parallel CI runs: the tree page's scripts after react.production.min.js were never
            // requested and the list stayed hidden. Until the cause is known, what the browser saw is kept, and the page is
            // loaded once more (as a user would); a second miss fails with that evidence.
            var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
            page.RequestFailed += (_, r) => seen.Enqueue($"failed {r.Url}: {r.Failure}");
            page.Response += (_, r) => { if (r.Status >= 400) seen.Enqueue($"{r.Status} {r.Url}"); };
            page.Console += (_, m) => { if (m.Type is "error" or "warning") seen.Enqueue($"console {m.Type}: {m.Text}"); };
            try { await Assertions.Expect(jupyter.Locator("#notebook_list")).ToBeVisibleAsync(new() { Timeout = 60_000 }); }
            catch (PlaywrightException)
            {
                Console.Error.WriteLine($"IDE tree not shown on the first load; the browser saw:\n{string.Join("\n", seen)}");
                await session.ShotAsync("00-tree-missing");
                await page.ReloadAsync();
                try { await Assertions.Expect(jupyter.Locator("#notebook_list")).ToBeVisibleAsync(new() { Timeout = 60_000 }); }
                catch (PlaywrightException e) { throw new PlaywrightException($"{e.Message}\nThe browser saw:\n{string.Join("\n", seen)}"); }
            }
            await Assertions.Expect(jupyter.Locator("body")).ToContainTextAsync("Files");
            await session.ShotAsync("01-jupyter-tree");

            await page.ClickAsync("#stop-ide");
            await Assertions.Expect(page.Locator("#ide-message")).ToContainTextAsync("Stopped by its user");
            await page.GotoAsync("/ide");
            await Assertions.Expect(page.Locator("#ide-sessions")).ToContainTextAsync("CANCELLED");
        });
    }
}
