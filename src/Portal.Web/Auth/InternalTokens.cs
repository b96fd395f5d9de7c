using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace Portal.Web.Auth;

/// <summary>
/// One-minute tokens the portal gives itself to call its own HTTP endpoints on behalf of a page's user (the
/// deployment page's "Try it" goes through the real router, so the request is routed and recorded like any other).
/// Only the portal's key ring can make or read them; they carry the user's name and roles, nothing more.
/// </summary>
public sealed class InternalTokens(IDataProtectionProvider provider, TimeProvider clock)
{
    public const string Prefix = "int_";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    private readonly ITimeLimitedDataProtector _protector = provider.CreateProtector("portal.internal-tokens.v1").ToTimeLimitedDataProtector();

    private sealed record Payload(string Name, string[] Roles);

    public string Issue(ClaimsPrincipal user) =>
        Prefix + _protector.Protect(JsonSerializer.Serialize(new Payload(PortalAuthentication.NameOf(user),
            [.. user.FindAll(ClaimTypes.Role).Select(c => c.Value)])), clock.GetUtcNow().Add(Lifetime));

    public ClaimsPrincipal? Validate(string token)
    {
        try
        {
            var payload = JsonSerializer.Deserialize<Payload>(_protector.Unprotect(token[Prefix.Length..]));
            return payload is null ? null : PortalPrincipal.For(payload.Name, null, payload.Roles, "internal", BearerHandler.SchemeName);
        }
        catch (System.Security.Cryptography.CryptographicException) { return null; }
    }
}
