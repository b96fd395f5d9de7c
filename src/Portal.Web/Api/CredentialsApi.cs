using System.Text.Json;
using Portal.Core.Entities;
using Portal.Core.Security;
using Portal.Web.Auth;

namespace Portal.Web.Api;

/// <summary>
/// The credentials vault. Secrets go in and never come out: responses say only whether one is stored.
/// Data scientists see and manage their own; admins all.
/// </summary>
public static class CredentialsApi
{
    public sealed record CredentialDto(string Name, string Kind, string Owner, string? Uri, string? Desc, IReadOnlyDictionary<string, string?> Details,
        bool HasSecret, DateTime CreatedAt, DateTime UpdatedAt);
    public sealed record CredentialInputDto(string? Name, string? Kind, string? Uri, string? Desc, Dictionary<string, string>? Details, string? Secret);

    public static CredentialDto ToDto(this Credential c) => new(c.Name, c.Kind.ToString().ToLowerInvariant(), c.Owner, c.Uri, c.Desc,
        c.Details.ToDictionary(d => d.Key, d => d.Value.ValueKind == JsonValueKind.String ? d.Value.GetString() : d.Value.GetRawText()),
        c.ProtectedSecret is not null, c.CreatedAt, c.UpdatedAt);

    public static void MapCredentialsApi(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("/credentials").WithTags("Credentials").RequireAuthorization(PortalPolicies.Work);
        g.MapGet("/", async ([AsParameters] ListQuery q, HttpContext http, CredentialVault vault, CancellationToken ct) =>
            (await vault.ListAsync(ActorOf(http), q.ToPageRequest(), ct)).ToDto(c => c.ToDto()));
        g.MapGet("/{name}", async (string name, HttpContext http, CredentialVault vault, CancellationToken ct) => (await vault.GetAsync(ActorOf(http), name, ct)).ToDto());
        g.MapPost("/", async (CredentialInputDto input, HttpContext http, CredentialVault vault, CancellationToken ct) =>
            {
                var created = await vault.CreateAsync(ActorOf(http), Input(input, input.Name), ct);
                return Results.Created($"/api/v1/credentials/{created.Name}", created.ToDto());
            })
            .WithSummary("Store a credential (kinds: git, docker, ecr, s3, gcs, azureblob, basic); the secret is encrypted and never returned.");
        g.MapPut("/{name}", async (string name, CredentialInputDto input, HttpContext http, CredentialVault vault, CancellationToken ct) =>
                (await vault.UpdateAsync(ActorOf(http), name, Input(input, input.Name ?? name), ct)).ToDto())
            .WithSummary("Change a credential; leave 'secret' out to keep the stored one.");
        g.MapDelete("/{name}", async (string name, HttpContext http, CredentialVault vault, CancellationToken ct) =>
            {
                await vault.DeleteAsync(ActorOf(http), name, ct);
                return Results.NoContent();
            });
    }

    /// <summary>Parses the kind by name (case-insensitive); an unknown kind is reported with the ones there are.</summary>
    public static CredentialKind ParseKind(string? kind) =>
        Enum.TryParse<CredentialKind>(kind, ignoreCase: true, out var k) && Enum.IsDefined(k) ? k
            : throw new Core.Errors.ValidationFailedException("kind", $"'{kind}' is not a kind of credential; use one of {string.Join(", ", Enum.GetNames<CredentialKind>().Select(n => n.ToLowerInvariant()))}.");

    private static CredentialInput Input(CredentialInputDto d, string? name) =>
        new(name ?? "", ParseKind(d.Kind), d.Uri, d.Desc, d.Details, d.Secret);

    private static Actor ActorOf(HttpContext http) => Core.Security.ActorContext.Current ?? throw new Core.Errors.AccessDeniedException("Sign in first.");
}
