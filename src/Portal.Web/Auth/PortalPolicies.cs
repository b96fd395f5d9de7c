using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Portal.Core.Security;

namespace Portal.Web.Auth;

/// <summary>
/// One policy per role (each role includes the ones below it). Every page and endpoint carries one of them;
/// the fallback policy makes "read" the floor for anything that names none.
/// </summary>
public static class PortalPolicies
{
    public const string Read = "read";
    public const string Work = "work";
    public const string Lead = "lead";
    public const string Admin = "admin";

    public static readonly IReadOnlyDictionary<string, string> RoleOf = new Dictionary<string, string>
    {
        [Read] = Roles.Viewer,
        [Work] = Roles.DataScientist,
        [Lead] = Roles.TeamLead,
        [Admin] = Roles.Admin,
    };

    /// <summary>The policy that admits <paramref name="role"/> and the roles above it.</summary>
    public static string For(string role) => RoleOf.First(p => p.Value == role).Key;

    public static AuthorizationBuilder AddPortalPolicies(this AuthorizationBuilder auth)
    {
        foreach (var (policy, role) in RoleOf)
            auth.AddPolicy(policy, p => p.RequireAuthenticatedUser().RequireAssertion(c => HasRole(c.User, role)));
        return auth.SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser()
            .RequireAssertion(c => HasRole(c.User, Roles.Viewer)).Build());
    }

    public static bool HasRole(ClaimsPrincipal user, string role) =>
        user.Identity?.IsAuthenticated == true && Roles.Satisfies(user.FindAll(ClaimTypes.Role).Select(c => c.Value), role);
}
