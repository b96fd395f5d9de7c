using Microsoft.Playwright;
using Portal.Tests.E2E.Support;

namespace Portal.Tests.E2E;

/// <summary>An admin configures the portal in Settings: tests the engine, edits a resource profile (and is told what is wrong), sees what waits for a restart, imports YAML.</summary>
public class SettingsFlowTests
{
    [SkippableFact]
    public async Task Test_the_engine_edit_a_profile_switch_manager_and_import_yaml_in_settings()
    {
        Browser.RequireChromium();
        await using var portal = await PortalProcess.StartAsync();
        await using var session = await BrowserSession.StartAsync(portal, nameof(Test_the_engine_edit_a_profile_switch_manager_and_import_yaml_in_settings));
        var page = session.Page;

        await session.RunAsync(async () =>
        {
            await page.GotoAsync("/settings");
            await Assertions.Expect(page.Locator("#source-container_manager")).ToContainTextAsync("From portal.yaml");
            await page.ClickAsync("#test-connection");
            await Assertions.Expect(page.Locator("#connection-report")).ToContainTextAsync("Ready: Local processes");
            await session.ShotAsync("01-connection-tested");

            await page.GetByRole(AriaRole.Tab, new() { Name = "Resource profiles" }).ClickAsync();
            await page.ClickAsync("#add-profile");
            const int last = 3; // after the three built-in profiles
            await Assertions.Expect(page.Locator($"#profile-name-{last}")).ToBeVisibleAsync();
            await Ui.FillAsync(page, $"#profile-name-{last}", "big");
            await Ui.FillAsync(page, $"#profile-req-cpu-{last}", "4");
            await Ui.FillAsync(page, $"#profile-lim-cpu-{last}", "2");
            await page.ClickAsync("#save-profiles");
            await Assertions.Expect(page.Locator("#profiles")).ToContainTextAsync("(4) is more than the limit (2)");
            await Ui.FillAsync(page, $"#profile-lim-cpu-{last}", "8");
            await page.ClickAsync("#save-profiles");
            await Assertions.Expect(page.Locator("#source-container_manager")).ToContainTextAsync("Saved in the portal by admin");
            await session.ShotAsync("02-profile-saved");

            await page.GetByRole(AriaRole.Tab, new() { Name = "Container manager" }).ClickAsync();
            await page.ClickAsync("#manager-type");
            await page.GetByRole(AriaRole.Option, new() { Name = "swarm", Exact = true }).ClickAsync();
            // The choice has reached the server once its help text shows; a save before that would save the old type.
            await Assertions.Expect(page.GetByText("Services on a Docker Swarm")).ToBeVisibleAsync();
            await page.ClickAsync("#save-manager");
            await Assertions.Expect(page.Locator("#pending-restart")).ToContainTextAsync("container_manager.type: running local, saved swarm");

            // The metadata store answers, and says what it holds.
            await page.GetByRole(AriaRole.Tab, new() { Name = "Files and router" }).ClickAsync();
            await Assertions.Expect(page.Locator("#metadata-store")).ToContainTextAsync("SQLite");
            await page.ClickAsync("#test-store");
            await Assertions.Expect(page.Locator("#store-report")).ToContainTextAsync("Ready: Reached SQLite");
            await Assertions.Expect(page.Locator("#store-report")).ToContainTextAsync("schema version");

            // Host folders open to users: a relative path is refused at its line, an absolute one saved and exported.
            await page.GetByRole(AriaRole.Tab, new() { Name = "Host folders" }).ClickAsync();
            await Ui.FillAsync(page, "#host-paths", "/srv/ml-projects\nrelative/folder");
            await page.ClickAsync("#save-security");
            await Assertions.Expect(page.Locator("#security-form")).ToContainTextAsync("security.host_paths[1]");
            await Ui.FillAsync(page, "#host-paths", "/srv/ml-projects");
            await page.ClickAsync("#save-security");
            await Assertions.Expect(page.Locator("#source-security")).ToContainTextAsync("Saved in the portal by admin");

            await page.GetByRole(AriaRole.Tab, new() { Name = "Import / export" }).ClickAsync();
            await page.ClickAsync("#show-export");
            await Assertions.Expect(page.Locator("#export-yaml")).ToContainTextAsync("/srv/ml-projects");
            await Assertions.Expect(page.Locator("#export-yaml")).ToContainTextAsync("big:");
            await Ui.FillAsync(page, "#import-yaml", "router:\n  timeout_seconds: 0\n");
            await page.ClickAsync("#import-settings");
            await Assertions.Expect(page.Locator(".form-alert")).ToContainTextAsync("Line 2, column");
            await Ui.FillAsync(page, "#import-yaml", "router:\n  timeout_seconds: 45\nenvironments: [dev, qa, prod]\n");
            await page.ClickAsync("#import-settings");
            await page.GetByRole(AriaRole.Tab, new() { Name = "Environments" }).ClickAsync();
            await Assertions.Expect(page.Locator("#environment-1")).ToHaveValueAsync("qa");
            await session.ShotAsync("03-imported");
        });
    }
}
