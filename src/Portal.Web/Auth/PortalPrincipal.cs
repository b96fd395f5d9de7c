using System.Security.Claims;
using Portal.Core.Entities;
using Portal.Core.Security;

namespace Portal.Web.Auth;

/// <summary>The claims the portal puts on a signed-in user, whatever the way in (password, provider, token).</summary>
public static class PortalPrincipal
{
    /// <summary>How the user authenticated: <c>local</c>, <c>oidc</c>, <c>pat</c> or <c>jwt</c>.</summary>
    public const string MethodClaim = "portal:method";
    public const string MustChangePasswordClaim = "portal:must_change_password";
    public const string UserIdClaim = "portal:user_id";
    /// <summary>The account's security stamp when the session began; a session whose stamp no longer matches is over.</summary>
    public const string StampClaim = "portal:stamp";

    public static ClaimsPrincipal For(PortalUser user, string method, string authenticationType)
    {
        // Only an interactive password session is held to a pending password change; tokens act as issued.
        var principal = For(user.Name, user.DisplayName, user.Roles, method, authenticationType, user.Id, user.MustChangePassword && method == "local");
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(StampClaim, user.SecurityStamp));
        return principal;
    }

    public static string Stamp(ClaimsPrincipal user) => user.FindFirst(StampClaim)?.Value ?? "";

    public static ClaimsPrincipal For(string name, string? displayName, IEnumerable<string> roles, string method, string authenticationType,
        long? userId = null, bool mustChangePassword = false)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name), new(MethodClaim, method) };
        if (!string.IsNullOrWhiteSpace(displayName)) claims.Add(new Claim(ClaimTypes.GivenName, displayName));
        if (userId is { } id) claims.Add(new Claim(UserIdClaim, id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (mustChangePassword) claims.Add(new Claim(MustChangePasswordClaim, "true"));
        claims.AddRange(roles.Where(Roles.IsKnown).Distinct().Select(r => new Claim(ClaimTypes.Role, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>The audit actor of an authenticated principal; null for an anonymous one.</summary>
    public static Actor? ActorOf(ClaimsPrincipal user, string? address) =>
        user.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name }
            ? new Actor(name, [.. user.FindAll(ClaimTypes.Role).Select(c => c.Value)], address)
            : null;

    public static string? Method(ClaimsPrincipal user) => user.FindFirst(MethodClaim)?.Value;
}
