using System.Net.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components;
using Portal.Core.Entities;
using Portal.Core.Notifications;
using Portal.Web.Auth;
using Portal.Web.Features.Ide;

namespace Portal.Web.Features.Account;

/// <summary>The logic of <c>SignOutPage.razor</c>.</summary>
public sealed partial class SignOutPage
{

    [CascadingParameter] private HttpContext HttpContext { get; set; } = default!;
    private readonly object _form = new();

    private async Task SignOutAsync()
    {
        var http = HttpContext;
        var logout = PortalPrincipal.Method(http.User) == ProviderAuthentication.OidcScheme ? await ProviderLogoutAsync(http) : null;
        var actor = PortalPrincipal.ActorOf(http.User, http.Connection.RemoteIpAddress?.ToString());
        // Every copy of this session's cookie ends with it, not only the one this browser drops.
        if (actor is not null) await Users.EndSessionsAsync(actor.Name, http.RequestAborted);
        await http.SignOutAsync(PortalAuthentication.CookieScheme);
        if (actor is not null) await Audit.RecordAsync("sign out", $"user {actor.Name}", AuditOutcome.Succeeded, null, http.RequestAborted, actor);
        Nav.NavigateTo(logout ?? PasswordChangeGate.SignOutPath);
    }

    /// <summary>
    /// RP-initiated logout, built by the OpenID Connect handler while the cookie still holds the id_token (its hint):
    /// the provider ends its own session too, then sends the browser back through the handler's callback to this page.
    /// Null when the provider is away: the portal's session ends anyway, the provider's when it expires.
    /// </summary>
    private static async Task<string?> ProviderLogoutAsync(HttpContext http)
    {
        if (await http.GetTokenAsync(PortalAuthentication.CookieScheme, "id_token") is null) return null;
        try
        {
            await http.SignOutAsync(ProviderAuthentication.OidcScheme, new AuthenticationProperties { RedirectUri = PasswordChangeGate.SignOutPath });
            return http.Items[ProviderAuthentication.SignOutUrlKey] as string;
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException) { return null; }
    }
}
