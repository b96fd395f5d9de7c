using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Security;

namespace Portal.Tests.Unit.Support;

/// <summary>
/// A browser's HTTP side against a real portal: signs in through the sign-in form (antiforgery included) and keeps its
/// cookies per host and port as a browser does; redirects are not followed, so each hop can be looked at.
/// </summary>
public static class CookieBrowser
{
    public const string Password = "correct horse battery staple";

    /// <summary>Creates <paramref name="user"/> with <paramref name="role"/> and a chosen password, and signs in.</summary>
    public static async Task<(HttpClient Http, CookieContainer Cookies)> SignInAsync(RealPortalHost portal, string user, string role)
    {
        var users = portal.Services.GetRequiredService<UserService>();
        var (_, oneTime) = await users.CreateLocalAsync(user, null, null, [role], CancellationToken.None);
        await users.ChangePasswordAsync(user, oneTime, Password, CancellationToken.None);
        var cookies = new CookieContainer();
        var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(portal.BaseAddress) };
        var form = await http.GetStringAsync("/signin");
        var response = await http.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = Hidden(form, "_handler"),
            ["__RequestVerificationToken"] = Hidden(form, "__RequestVerificationToken"),
            ["Input.Username"] = user,
            ["Input.Password"] = Password,
        }));
        if (response.StatusCode != HttpStatusCode.Redirect)
            throw new InvalidOperationException($"Signing in as {user} failed ({(int)response.StatusCode}).");
        return (http, cookies);
    }

    private static string Hidden(string form, string name) =>
        Regex.Match(form, $"name=\"{name}\" value=\"([^\"]*)\"").Groups[1].Value;
}
