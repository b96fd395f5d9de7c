using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Portal.Core.Configuration;

namespace Portal.Web.Auth;

/// <summary>
/// What the portal reads from a token the provider issued (after the OpenID Connect or JwtBearer handler validated
/// it): the user name at <c>auth.oidc.user_claim</c> (then email, then sub), the display name, and the raw payload
/// for roles nested in objects (<c>realm_access.roles</c>). Claims are read from the payload itself, so the
/// framework's inbound claim mapping (which renames or drops <c>preferred_username</c>) never matters.
/// </summary>
public sealed class ProviderClaims(JsonElement payload)
{
    public JsonElement Payload { get; } = payload;

    public static ProviderClaims Of(string encodedToken) => Of(new JsonWebToken(encodedToken));

    public static ProviderClaims Of(JsonWebToken token)
    {
        using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(token.EncodedPayload)));
        return new ProviderClaims(doc.RootElement.Clone());
    }

    public string? this[string name] =>
        Payload.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>The portal user name for this token; empty when it names nobody.</summary>
    public string UserName(OidcConfig config, bool serviceAccounts = false)
    {
        // Service accounts (client credentials) have no user name: they act as their client.
        var client = serviceAccounts ? this["client_id"] ?? this["azp"] : null;
        var raw = this[config.UserClaim] ?? this["email"] ?? (client is not null ? $"client-{client}" : this["sub"]);
        return RoleMapping.UserNameFrom(raw ?? "");
    }

    public string? DisplayName => this["name"];
    public string? Email => this["email"];
}
