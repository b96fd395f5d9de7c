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
    /// <summary>How long the discovery document and keys are used before they are fetched again.</summary>
    private static readonly TimeSpan Freshness = TimeSpan.FromHours(12);
    /// <summary>The least time between fetches a token with an unknown key can cause (tokens are attacker-supplied).</summary>
    public static readonly TimeSpan MinRefetch = TimeSpan.FromSeconds(5);
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly IHttpClientFactory _http;
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _fetching = new(1, 1);
    private OpenIdConnectConfiguration? _doc;
    private DateTimeOffset _fetchedAt;

    public OidcProvider(OidcConfig config, IHttpClientFactory http, TimeProvider clock)
    {
        Config = config;
        Issuer = config.Issuer!.TrimEnd('/');
        _http = http;
        _clock = clock;
    }

    public OidcConfig Config { get; }
    public string Issuer { get; }
    public string ApiAudience => string.IsNullOrWhiteSpace(Config.Audience) ? Config.ClientId! : Config.Audience;

    /// <summary>The provider's discovery document and signing keys, cached; <paramref name="refresh"/> fetches them again (at most every <see cref="MinRefetch"/>).</summary>
    public async Task<OpenIdConnectConfiguration> DiscoverAsync(CancellationToken ct, bool refresh = false)
    {
        var now = _clock.GetUtcNow();
        if (_doc is { } cached && now - _fetchedAt < (refresh ? MinRefetch : Freshness)) return cached;
        await _fetching.WaitAsync(ct);
        try
        {
            if (_doc is { } again && _clock.GetUtcNow() - _fetchedAt < (refresh ? MinRefetch : Freshness)) return again;
            OpenIdConnectConfiguration doc;
            try
            {
                var retriever = new HttpDocumentRetriever(_http.CreateClient(HttpClientName)) { RequireHttps = Config.RequireHttps };
                doc = await OpenIdConnectConfigurationRetriever.GetAsync(Issuer + "/.well-known/openid-configuration", retriever, ct);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or HttpRequestException or ArgumentException)
            {
                // A provider that is briefly away does not sign everyone out: the keys fetched before still serve.
                if (_doc is { } stale) return stale;
                throw new OidcProviderException(
                    $"The OpenID provider {Issuer} cannot be reached or did not answer with a discovery document ({Innermost(e)}). " +
                    "Check auth.oidc.issuer in portal.yaml and that the provider is running.", e);
            }
            if (!string.Equals(doc.Issuer?.TrimEnd('/'), Issuer, StringComparison.Ordinal))
                throw new OidcProviderException($"The provider's discovery document names the issuer '{doc.Issuer}', but portal.yaml says '{Issuer}'. Write the provider's exact issuer in auth.oidc.issuer.");
            if (string.IsNullOrEmpty(doc.AuthorizationEndpoint) || string.IsNullOrEmpty(doc.TokenEndpoint))
                throw new OidcProviderException($"The provider {Issuer} publishes no authorization or token endpoint; it cannot sign users in with the code flow.");
            (_doc, _fetchedAt) = (doc, _clock.GetUtcNow());
            return doc;
        }
        finally { _fetching.Release(); }
    }

    /// <summary>Validates a token from this provider; with <paramref name="nonce"/>, also that it answers that sign-in.</summary>
    public async Task<(JsonWebToken? Token, string? Problem)> ValidateAsync(string token, string audience, string? nonce, CancellationToken ct)
    {
        var doc = await DiscoverAsync(ct);
        var result = await _handler.ValidateTokenAsync(token, Parameters(doc, audience));
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException)
        {
            // The provider may have rotated its keys since they were fetched: fetch them again, then decide.
            var fresh = await DiscoverAsync(ct, refresh: true);
            if (!ReferenceEquals(fresh, doc)) result = await _handler.ValidateTokenAsync(token, Parameters(fresh, audience));
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
