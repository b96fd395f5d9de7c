using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Security;
using Portal.Web.Auth;

namespace Portal.Web.Api;

/// <summary>The caller's own account: who am I, and my personal access tokens.</summary>
public static class AccountApi
{
    public sealed record MeDto(string Name, string? DisplayName, IReadOnlyList<string> Roles, string? Method);
    public sealed record TokenDto(long Id, string Name, string Prefix, DateTime CreatedAt, DateTime? ExpiresAt, DateTime? RevokedAt, DateTime? LastUsedAt, bool Active);
    public sealed record NewTokenDto(string? Name, int? Days);
    /// <summary>The only response that ever carries the token itself.</summary>
    public sealed record IssuedTokenDto(TokenDto Token, string Secret);

    public static TokenDto ToDto(this AccessToken t, DateTime now) =>
        new(t.Id, t.Name, t.Prefix, t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt, t.RevokedAt is null && (t.ExpiresAt is null || t.ExpiresAt > now));

    public static void MapAccountApi(this RouteGroupBuilder v1)
    {
        var me = v1.MapGroup("/me").WithTags("Account").RequireAuthorization(PortalPolicies.Read);
        me.MapGet("/", (HttpContext http) => new MeDto(PortalAuthentication.NameOf(http.User), http.User.FindFirst(System.Security.Claims.ClaimTypes.GivenName)?.Value,
            [.. http.User.FindAll(System.Security.Claims.ClaimTypes.Role).Select(c => c.Value)], PortalPrincipal.Method(http.User)));
        me.MapGet("/tokens", async (HttpContext http, AccessTokenService tokens, TimeProvider clock, CancellationToken ct) =>
            (await tokens.ListAsync(PortalAuthentication.NameOf(http.User), ct)).Select(t => t.ToDto(clock.GetUtcNow().UtcDateTime)));
        me.MapPost("/tokens", async (NewTokenDto input, HttpContext http, AccessTokenService tokens, TimeProvider clock, CancellationToken ct) =>
            {
                // A leaked token must not be able to mint fresh ones that outlive its revocation.
                if (PortalPrincipal.Method(http.User) == "pat")
                    throw new AccessDeniedException("A personal access token cannot create tokens; create them signed in, in the portal or with a provider token.");
                var issued = await tokens.IssueAsync(PortalAuthentication.NameOf(http.User), input.Name ?? "", input.Days, ct);
                return Results.Created($"/api/v1/me/tokens/{issued.Token.Id}", new IssuedTokenDto(issued.Token.ToDto(clock.GetUtcNow().UtcDateTime), issued.Secret));
            })
            .WithSummary("Create a personal access token (pat_…). Its value is in this response only; the portal keeps a hash.");
        me.MapDelete("/tokens/{id:long}", async (long id, HttpContext http, AccessTokenService tokens, CancellationToken ct) =>
            {
                await tokens.RevokeAsync(PortalAuthentication.NameOf(http.User), id, ct);
                return Results.NoContent();
            })
            .WithSummary("Revoke a token: it is refused from the next request on.");
    }
}
