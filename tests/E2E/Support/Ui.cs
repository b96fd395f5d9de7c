using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Portal.Tests.E2E.Support;

/// <summary>How the tests work the portal's UI.</summary>
public static class Ui
{
    /// <summary>MudBlazor inputs bind on 'change' unless Immediate: fill, then fire it so the value reaches the server.</summary>
    public static async Task FillAsync(IPage page, string selector, string value)
    {
        await page.FillAsync(selector, value);
        await page.Locator(selector).DispatchEventAsync("change");
    }

    /// <summary>
    /// Blazor navigates with pushState: there is no load event to wait for, so poll the address instead
    /// (WaitForURLAsync raced with it and sometimes waited for a load that never came).
    /// </summary>
    public static Task ExpectPathAsync(IPage page, string pathAndQuery) =>
        Assertions.Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(pathAndQuery) + "$"));
}
