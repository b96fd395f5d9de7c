using Microsoft.Playwright;
using Portal.Tests.E2E.Support;

namespace Portal.Tests.E2E;

/// <summary>
/// The local admin of a fresh portal adds a user from the Users page; the user signs in with the one-time password,
/// must choose a new one, makes a personal access token that works on the API; the admin reads it all in the audit log.
/// </summary>
public class AdminFlowTests
{
    [SkippableFact]
    public async Task Admin_adds_a_user_who_changes_the_password_makes_a_token_and_everything_is_audited()
    {
        Browser.RequireChromium();
        await using var portal = await PortalProcess.StartAsync();
        await using var admin = await BrowserSession.StartAsync(portal, nameof(Admin_adds_a_user_who_changes_the_password_makes_a_token_and_everything_is_audited));
        var page = admin.Page;
        string oneTime = "";

        await admin.RunAsync(async () =>
        {
            await page.GotoAsync("/users");
            await Ui.FillAsync(page, "#user-name", "Dana");
            await page.ClickAsync("#add-user");
            await Assertions.Expect(page.GetByText("only lowercase letters, digits and dashes")).ToBeVisibleAsync();
            await Ui.FillAsync(page, "#user-name", "dana");
            await Ui.FillAsync(page, "#user-display", "Dana Scully");
            await page.ClickAsync("#add-user");
            await Assertions.Expect(page.Locator("#one-time-password")).ToBeVisibleAsync();
            oneTime = (await page.Locator("#one-time-password").InnerTextAsync()).Trim();
            await Assertions.Expect(page.Locator("#users-grid").GetByText("Dana Scully")).ToBeVisibleAsync();
            await admin.ShotAsync("01-user-added");
        });

        await using var dana = await BrowserSession.StartAsync(portal, nameof(Admin_adds_a_user_who_changes_the_password_makes_a_token_and_everything_is_audited) + "-dana", signIn: false);
        var dpage = dana.Page;
        string token = "";
        await dana.RunAsync(async () =>
        {
            await dpage.GotoAsync("/signin");
            await dpage.FillAsync("#username", "dana");
            await dpage.FillAsync("#password", oneTime);
            await dpage.ClickAsync("#signin-local");
            await Assertions.Expect(dpage.Locator("#must-change")).ToBeVisibleAsync();
            await dpage.FillAsync("#current", oneTime);
            await dpage.FillAsync("#next", "a long passphrase of mine");
            await dpage.FillAsync("#repeat", "a long passphrase of mine");
            await dpage.ClickAsync("#change-password");
            await Assertions.Expect(dpage.Locator("#current-user")).ToHaveTextAsync("dana");

            await dpage.GotoAsync("/account/tokens");
            await Assertions.Expect(dpage.GetByText("No tokens yet")).ToBeVisibleAsync();
            await Ui.FillAsync(dpage, "#token-name", "notebook script");
            await dpage.ClickAsync("#create-token");
            await Assertions.Expect(dpage.Locator("#new-token")).ToContainTextAsync("pat_");
            token = (await dpage.Locator("#new-token").InnerTextAsync()).Trim();
            await Assertions.Expect(dpage.Locator("#tokens").GetByText("notebook script")).ToBeVisibleAsync();
            await dana.ShotAsync("02-token-created");
        });

        using (var http = new HttpClient { BaseAddress = new Uri(portal.BaseUrl) })
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
            var me = await http.GetStringAsync("/api/v1/me");
            Assert.Contains("\"name\":\"dana\"", me);
            Assert.Contains("data_scientist", me);
        }

        await admin.RunAsync(async () =>
        {
            await page.GotoAsync("/audit");
            await Ui.FillAsync(page, "#audit-actor", "dana");
            await page.ClickAsync("#audit-filter");
            var grid = page.Locator("#audit-grid");
            await Assertions.Expect(grid.GetByText("create access token")).ToBeVisibleAsync();
            await Assertions.Expect(grid.GetByText("sign in").First).ToBeVisibleAsync();
            await Assertions.Expect(grid.GetByText("update user").First).ToBeVisibleAsync();
            await admin.ShotAsync("03-audit");
        });
    }
}
