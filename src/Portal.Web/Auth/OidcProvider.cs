using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Portal.Core.Configuration;

namespace Portal.Web.Auth;

/// <summary>
/// The configured OpenID provider: its discovery document and signing keys (cached, refreshed when a token names
/// a key the cache lacks, so a key rotation needs no restart), and validation of the tokens it issues: signature,
/// issuer, audience, expiry and, for id_tokens, the nonce the sign-in sent.
/// </summary>
public sealed class OidcProvider
{
    public const string HttpClientName = "oidc";
    private readonly ConfigurationManager<OpenIdConnectConfiguration> _discovery;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public OidcProvider(OidcConfig config, IHttpClientFactory http)
    {
        Config = config;
        Issuer = config.Issuer!.TrimEnd('/');
        var client = http.CreateClient(HttpClientName);
        _discovery = new ConfigurationManager<OpenIdConnectConfiguration>(
            Issuer + "/.well-known/openid-configuration", new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(client) { RequireHttps = config.RequireHttps })
        {
            AutomaticRefreshInterval = TimeSpan.FromHours(12),
            RefreshInterval = TimeSpan.FromSeconds(10),
        };
    }

    public OidcConfig Config { get; }
    public string Issuer { get; }
    public string ApiAudience => string.IsNullOrWhiteSpace(Config.Audience) ? Config.ClientId! : Config.Audience;

    public async Task<OpenIdConnectConfiguration> DiscoverAsync(CancellationToken ct)
    {
        OpenIdConnectConfiguration doc;
        try { doc = await _discovery.GetConfigurationAsync(ct); }
        catch (Exception e) when (e is InvalidOperationException or IOException or HttpRequestException or ArgumentException)
        {
            throw new OidcProviderException(
                $"The OpenID provider {Issuer} cannot be reached or did not answer with a discovery document ({Innermost(e)}). " +
                "Check auth.oidc.issuer in portal.yaml and that the provider is running.", e);
        }
        if (!string.Equals(doc.Issuer?.TrimEnd('/'), Issuer, StringComparison.Ordinal))
            throw new OidcProviderException($"The provider's discovery document names the issuer '{doc.Issuer}', but portal.yaml says '{Issuer}'. Write the provider's exact issuer in auth.oidc.issuer.");
        if (string.IsNullOrEmpty(doc.AuthorizationEndpoint) || string.IsNullOrEmpty(doc.TokenEndpoint))
            throw new OidcProviderException($"The provider {Issuer} publishes no authorization or token endpoint; it cannot sign users in with the code flow.");
        return doc;
    }

    /// <summary>Validates a token from this provider; with <paramref name="nonce"/>, also that it answers that sign-in.</summary>
    public async Task<(JsonWebToken? Token, string? Problem)> ValidateAsync(string token, string audience, string? nonce, CancellationToken ct)
    {
        var doc = await DiscoverAsync(ct);
        var result = await _handler.ValidateTokenAsync(token, Parameters(doc, audience));
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // The provider rotated its keys since they were fetched: fetch them again once.
            _discovery.RequestRefresh();
            doc = await DiscoverAsync(ct);
            result = await _handler.ValidateTokenAsync(token, Parameters(doc, audience));
        }
        if (!result.IsValid) return (null, Explain(result.Exception));
        var jwt = (JsonWebToken)result.SecurityToken;
        if (nonce is not null && (!jwt.TryGetPayloadValue<string>("nonce", out var sent) || sent != nonce))
            return (null, "The id_token does not answer this sign-in (its nonce differs); start the sign-in again.");
        return (jwt, null);
    }

    /// <summary>The token's payload as JSON, for claims nested in objects (realm_access.roles).</summary>
    public static JsonElement Payload(JsonWebToken token)
    {
        var json = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(token.EncodedPayload));
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    public static string? StringClaim(JsonElement payload, string name) =>
        payload.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static TokenValidationParameters Parameters(OpenIdConnectConfiguration doc, string audience) => new()
    {
        ValidIssuer = doc.Issuer,
        ValidAudience = audience,
        IssuerSigningKeys = doc.SigningKeys,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateLifetime = true,
        ClockSkew = TimeSpan.FromMinutes(1),
    };

    private static string Explain(Exception? e) => e switch
    {
        SecurityTokenExpiredException => "The token has expired; sign in again or get a new one.",
        SecurityTokenNotYetValidException => "The token is not valid yet; check the clocks of the provider and the portal.",
        SecurityTokenInvalidAudienceException => "The token is meant for another audience (its 'aud' is not this portal).",
        SecurityTokenInvalidIssuerException => "The token comes from another issuer than the configured provider.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The token's signature does not match the provider's keys.",
        SecurityTokenMalformedException => "The token is not a well-formed JWT.",
        null => "The token is not valid.",
        _ => $"The token is not valid: {e.Message}",
    };

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e.Message;
    }
}

/// <summary>The provider is unreachable or misconfigured; the message says what to check.</summary>
public sealed class OidcProviderException(string message, Exception? inner = null) : Exception(message, inner);
