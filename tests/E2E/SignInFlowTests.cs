using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.Tests.E2E.Support;
using Portal.Tests.Shared;

namespace Portal.Tests.E2E;

/// <summary>
/// People sign in with a real OpenID provider (oidc-provider from npm) in Chromium: a viewer sees what a viewer may
/// and is refused elsewhere, signing out ends the provider's session too; a data scientist keeps a secret in the
/// vault and it never comes back to the browser.
/// </summary>
public class SignInFlowTests
{
    [SkippableFact]
    public async Task Sign_in_with_the_provider_see_only_what_the_role_allows_and_sign_out()
    {
        Browser.RequireChromium();
        OidcProviderProcess.Require();
        var port = TestEnvironment.FreePort();
        var portalUrl = $"http://127.0.0.1:{port}";
        await using var idp = await OidcProviderProcess.StartAsync($$"""
            [{"client_id":"portal","client_secret":"portal-secret","redirect_uris":["{{portalUrl}}/signin-oidc"],
              "post_logout_redirect_uris":["{{portalUrl}}/signout-callback-oidc"]}]
            """);
        await using var portal = await PortalProcess.StartAsync(
            $"auth:\n  mode: oidc\n  oidc:\n    issuer: {idp.Issuer}\n    client_id: portal\n    client_secret: portal-secret\n    display_name: Company SSO\n    scopes: [openid, profile, email, roles]\n    require_https: false\n", port);
        await using var session = await BrowserSession.StartAsync(portal, nameof(Sign_in_with_the_provider_see_only_what_the_role_allows_and_sign_out), signIn: false);
        const string secret = "ghp_e2e-SECRET-4c1f9";
        var page = session.Page;

        Task ProviderSignInAsync(string user) => SignInAtProviderAsync(page, idp.Issuer, portalUrl, user);

        await session.RunAsync(async () =>
        {
            await ProviderSignInAsync("victor");
            await session.ShotAsync("01-viewer-signed-in");
            var nav = page.Locator("nav[aria-label=Main]");
            await Assertions.Expect(nav.GetByText("Projects")).ToBeVisibleAsync();
            await Assertions.Expect(nav.GetByText("IDE")).ToHaveCountAsync(0);
            await Assertions.Expect(nav.GetByText("Users")).ToHaveCountAsync(0);

            // A forbidden address typed by hand: the server refuses, whatever the menu shows.
            await page.GotoAsync("/users");
            await Assertions.Expect(page.GetByText(new Regex("not allowed|do not allow", RegexOptions.IgnoreCase)).First).ToBeVisibleAsync();
            await session.ShotAsync("02-viewer-refused");
            var api = await page.APIRequest.PostAsync("/api/v1/models", new() { DataObject = new { name = "m" } });
            Assert.Equal(403, api.Status);

            // Signing out ends the provider's session too (RP-initiated logout) and comes back to the portal.
            await page.GotoAsync("/projects");
            await page.ClickAsync("#signout-link");
            await page.ClickAsync("#signout");
            // Polled, not waited for as a load: the provider's page can be there before a load event Playwright sees.
            await Assertions.Expect(page).ToHaveURLAsync(new Regex("^" + Regex.Escape(idp.Issuer)));
            await page.ClickAsync("button[name=logout]");
            await Assertions.Expect(page.Locator("#signed-out")).ToBeVisibleAsync();
            await session.ShotAsync("03-signed-out");
            await page.GotoAsync("/projects");
            await Ui.ExpectPathAsync(page, "/signin?ReturnUrl=%2Fprojects");

            // A data scientist: the IDE is offered, and a secret stored in the vault never comes back.
            await ProviderSignInAsync("alice");
            await Assertions.Expect(nav.GetByText("IDE")).ToBeVisibleAsync();
            await page.GotoAsync("/credentials");
            await Ui.FillAsync(page, "#credential-name", "team-git");
            await Ui.FillAsync(page, "#credential-uri", "https://git.example.test/team/iris.git");
            await Ui.FillAsync(page, "#credential-secret", secret);
            await page.ClickAsync("#save-credential");
            await Assertions.Expect(page.Locator("#credentials-grid").GetByText("team-git")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#credentials-grid").GetByText("stored")).ToBeVisibleAsync();
            Assert.DoesNotContain(secret, await page.ContentAsync());
            await page.ReloadAsync();
            await Assertions.Expect(page.Locator("#credentials-grid").GetByText("team-git")).ToBeVisibleAsync();
            Assert.DoesNotContain(secret, await page.ContentAsync());
            var listed = await page.APIRequest.GetAsync("/api/v1/credentials");
            Assert.DoesNotContain(secret, await listed.TextAsync());
            await session.ShotAsync("04-secret-stored");
        });

        // What alice did on the page is in the audit log under her name, and so are the viewer's refusals.
        using var admin = await portal.ApiClientAsync();
        var audit = await admin.GetStringAsync("/api/v1/audit?take=500");
        Assert.Contains("\"actor\":\"alice\",\"action\":\"create credential\"", audit);
        Assert.Contains("\"actor\":\"victor\",\"action\":\"POST /api/v1/models\"", audit);
        Assert.DoesNotContain(secret, audit);
    }

    [SkippableFact]
    public async Task A_provider_that_sends_roles_as_a_flat_groups_claim_signs_people_in_with_the_mapped_role()
    {
        Browser.RequireChromium();
        OidcProviderProcess.Require();
        var port = TestEnvironment.FreePort();
        var portalUrl = $"http://127.0.0.1:{port}";
        await using var idp = await OidcProviderProcess.StartAsync($$"""
            [{"client_id":"portal","client_secret":"portal-secret","redirect_uris":["{{portalUrl}}/signin-oidc"]}]
            """);
        await using var portal = await PortalProcess.StartAsync(
            $"auth:\n  mode: oidc\n  role_claim: groups\n  role_map:\n    ml-scientists: data_scientist\n  oidc:\n    issuer: {idp.Issuer}\n" +
            "    client_id: portal\n    client_secret: portal-secret\n    scopes: [openid, profile, email, roles]\n    require_https: false\n", port);
        await using var session = await BrowserSession.StartAsync(portal, nameof(A_provider_that_sends_roles_as_a_flat_groups_claim_signs_people_in_with_the_mapped_role), signIn: false);
        var page = session.Page;
        await session.RunAsync(async () =>
        {
            await SignInAtProviderAsync(page, idp.Issuer, portalUrl, "alice");
            // data_scientist from the groups claim: the IDE is offered, Users (admins only) is not.
            var nav = page.Locator("nav[aria-label=Main]");
            await Assertions.Expect(nav.GetByText("IDE")).ToBeVisibleAsync();
            await Assertions.Expect(nav.GetByText("Users")).ToHaveCountAsync(0);
            await session.ShotAsync("01-groups-mapped");
        });
        using var admin = await portal.ApiClientAsync();
        Assert.Contains("\"data_scientist\"", await admin.GetStringAsync("/api/v1/users/alice"));
    }

    /// <summary>Signs in at the provider's own pages as a person would: the login form, the consent the first time.</summary>
    private static async Task SignInAtProviderAsync(IPage page, string issuer, string portalUrl, string user)
    {
        await page.GotoAsync("/projects");
        await Ui.ExpectPathAsync(page, "/signin?ReturnUrl=%2Fprojects");
        await page.ClickAsync("#signin-oidc");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("^" + Regex.Escape(issuer) + ".*/interaction/"));
        var login = page.Url;
        await page.FillAsync("input[name=login]", user);
        await page.FillAsync("input[name=password]", "any password works here");
        await page.ClickAsync("button[type=submit]");
        // Away from the login page: the provider asks once per client to share the profile (another interaction),
        // a later sign-in goes straight back. The login page's own address must not count as the next step.
        await page.WaitForURLAsync(u => u != login && (u.StartsWith(portalUrl, StringComparison.Ordinal) || u.Contains("/interaction/", StringComparison.Ordinal)),
            new() { WaitUntil = WaitUntilState.Commit });
        if (page.Url.Contains("/interaction/", StringComparison.Ordinal)) await page.ClickAsync("button[type=submit]");
        await Ui.ExpectPathAsync(page, "/projects");
        await Assertions.Expect(page.Locator("#current-user")).ToHaveTextAsync(user);
    }
}
