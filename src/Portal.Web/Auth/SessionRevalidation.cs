using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Portal.Core.Security;

namespace Portal.Web.Auth;

/// <summary>
/// An open page (a Blazor circuit) outlives its cookie's checks: every half minute it asks whether the session is
/// still current (the account's security stamp), and a page whose session ended is signed out.
/// </summary>
public sealed class SessionRevalidation(ILoggerFactory logger, IServiceScopeFactory scopes)
    : RevalidatingServerAuthenticationStateProvider(logger)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(30);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        // Tokens carry no stamp and are checked on every request of their own.
        var user = authenticationState.User;
        if (user.Identity?.Name is not { } name || user.FindFirst(PortalPrincipal.StampClaim) is null) return true;
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserService>();
        return await users.CurrentSessionAsync(name, PortalPrincipal.Stamp(user), cancellationToken) is not null;
    }
}
