using System.Text.Json;
using Portal.Core.Configuration;
using Portal.Core.Security;

namespace Portal.Web.Auth;

/// <summary>
/// Provider claims → portal roles, as Odahu's mapper does: the roles are read at <c>auth.role_claim</c> (a dotted
/// path into the token's JSON, Keycloak's <c>realm_access.roles</c> by default) and each is mapped through
/// <c>auth.role_map</c>; a provider role that is already a portal role name counts as itself.
/// </summary>
public sealed class RoleMapping(PortalConfig config)
{
    public IReadOnlyList<string> RolesFrom(JsonElement payload)
    {
        var node = payload;
        foreach (var part in config.Auth.RoleClaim.Split('.'))
        {
            if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(part, out node)) return [];
        }
        var names = node.ValueKind switch
        {
            JsonValueKind.Array => node.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!),
            JsonValueKind.String => node.GetString()!.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries),
            _ => [],
        };
        return [.. names.Select(Map).OfType<string>().Distinct()];
    }

    private string? Map(string providerRole) =>
        config.Auth.RoleMap.TryGetValue(providerRole, out var mapped) ? mapped
        : Roles.IsKnown(providerRole) ? providerRole
        : null;

    /// <summary>A provider user name made into a portal user name (lowercase letters, digits, dashes; at most 63).</summary>
    public static string UserNameFrom(string claimValue)
    {
        var chars = claimValue.Trim().ToLowerInvariant().Select(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '-').ToArray();
        var name = string.Join('-', new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
        return name.Length > 63 ? name[..63].TrimEnd('-') : name;
    }
}
