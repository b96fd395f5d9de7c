using Microsoft.IdentityModel.Tokens;

namespace Portal.Web.Auth;

/// <summary>The token handlers' exceptions as sentences a caller can act on (the 401 body, the sign-in page).</summary>
public static class ProviderErrors
{
    public static string ExplainToken(Exception? e) => e switch
    {
        SecurityTokenExpiredException => "The token has expired; sign in again or get a new one.",
        SecurityTokenNotYetValidException => "The token is not valid yet; check the clocks of the provider and the portal.",
        SecurityTokenInvalidAudienceException => "The token is meant for another audience (its 'aud' is not this portal).",
        SecurityTokenInvalidIssuerException => "The token comes from another issuer than the configured provider.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException =>
            "The token's signature does not match the provider's keys.",
        SecurityTokenMalformedException or ArgumentException => "The token is not a well-formed JWT.",
        InvalidOperationException or HttpRequestException or IOException => Unreachable(null, e),
        null => "The token is not valid.",
        _ => $"The token is not valid: {e.Message}",
    };

    /// <summary>The provider's discovery document could not be had.</summary>
    public static string Unreachable(string? issuer, Exception e) =>
        $"The OpenID provider{(issuer is null ? "" : $" {issuer}")} cannot be reached or did not answer with a discovery document ({Innermost(e)}). " +
        "Check auth.oidc.issuer in portal.yaml and that the provider is running.";

    public static string Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e.Message;
    }
}
