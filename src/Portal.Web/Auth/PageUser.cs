using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Portal.Core.Security;

namespace Portal.Web.Auth;

/// <summary>The signed-in user of a page (circuit), for pages that show or act on the user's own things.</summary>
public sealed class PageUser(AuthenticationStateProvider auth)
{
    public async Task<ClaimsPrincipal> PrincipalAsync() => (await auth.GetAuthenticationStateAsync()).User;

    public async Task<string> NameAsync() => PortalAuthentication.NameOf(await PrincipalAsync());

    public async Task<bool> HasAsync(string role) => PortalPolicies.HasRole(await PrincipalAsync(), role);

    /// <summary>The audit actor for calls that take one explicitly (the vault).</summary>
    public async Task<Actor> ActorAsync() => ActorContext.Current ?? PortalPrincipal.ActorOf(await PrincipalAsync(), null)
        ?? throw new Core.Errors.AccessDeniedException("Sign in first.");
}
