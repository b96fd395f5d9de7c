using System.Text.Json;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Names;
using Portal.Core.Stores;

namespace Portal.Core.Security;

/// <summary>
/// The credentials vault (Noronha's treasure chests, Odahu's connections). Secrets are encrypted at rest with
/// <see cref="ISecretProtector"/> and leave the vault only through <see cref="RevealAsync"/>, for the portal's own
/// use (a git clone, a registry pull), never in a listing. Owners manage their credentials; admins manage all.
/// </summary>
public sealed class CredentialVault(ICredentialStore store, ISecretProtector protector, TimeProvider clock)
{
    public const int MaxSecretBytes = 64 * 1024;

    /// <summary>The non-secret fields each kind needs besides the secret (Odahu's connection specs).</summary>
    public static readonly IReadOnlyDictionary<CredentialKind, string[]> RequiredDetails = new Dictionary<CredentialKind, string[]>
    {
        [CredentialKind.Git] = [],
        [CredentialKind.Docker] = ["username"],
        [CredentialKind.Ecr] = ["region", "key_id"],
        [CredentialKind.S3] = ["region", "key_id"],
        [CredentialKind.Gcs] = [],
        [CredentialKind.AzureBlob] = [],
        [CredentialKind.Basic] = ["username"],
    };

    public static readonly IReadOnlyDictionary<CredentialKind, string> SecretMeaning = new Dictionary<CredentialKind, string>
    {
        [CredentialKind.Git] = "an SSH private key (PEM/OpenSSH) or an HTTPS access token",
        [CredentialKind.Docker] = "the registry password or token",
        [CredentialKind.Ecr] = "the AWS secret access key",
        [CredentialKind.S3] = "the AWS secret access key",
        [CredentialKind.Gcs] = "the service account key (JSON)",
        [CredentialKind.AzureBlob] = "the SAS token or connection string",
        [CredentialKind.Basic] = "the password",
    };

    public Task<Page<Credential>> ListAsync(Actor actor, PageRequest request, CancellationToken ct) =>
        store.ListAsync(actor.Has(Roles.Admin) ? null : actor.Name, request, ct);

    public async Task<Credential> GetAsync(Actor actor, string name, CancellationToken ct) => Authorize(actor, await Require(name, ct));

    public async Task<Credential> CreateAsync(Actor actor, CredentialInput input, CancellationToken ct)
    {
        Validate(input, creating: true);
        var now = clock.GetUtcNow().UtcDateTime;
        return await store.AddAsync(new Credential
        {
            Name = input.Name, Kind = input.Kind, Owner = actor.Name, Uri = Blank(input.Uri), Desc = Blank(input.Desc),
            Details = DetailsOf(input), ProtectedSecret = protector.Protect(input.Secret!), CreatedAt = now, UpdatedAt = now,
        }, ct);
    }

    public async Task<Credential> UpdateAsync(Actor actor, string name, CredentialInput input, CancellationToken ct)
    {
        var existing = Authorize(actor, await Require(name, ct));
        if (input.Name != name) throw new ValidationFailedException("name", "A credential cannot be renamed; create a new one and delete this one.");
        if (input.Kind != existing.Kind) throw new ValidationFailedException("kind", $"'{name}' is a {existing.Kind} credential; its kind cannot change.");
        Validate(input, creating: false);
        return await store.MutateAsync(existing.Id, c =>
        {
            c.Uri = Blank(input.Uri);
            c.Desc = Blank(input.Desc);
            c.Details = DetailsOf(input);
            if (!string.IsNullOrEmpty(input.Secret)) c.ProtectedSecret = protector.Protect(input.Secret);
            c.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        }, ct);
    }

    public async Task DeleteAsync(Actor actor, string name, CancellationToken ct)
    {
        var existing = Authorize(actor, await Require(name, ct));
        await store.DeleteAsync(existing.Id, ct);
    }

    /// <summary>The decrypted secret, for the portal's own use on behalf of <paramref name="actor"/> (never for a response).</summary>
    public async Task<(Credential Credential, string Secret)> RevealAsync(Actor actor, string name, CancellationToken ct)
    {
        var credential = Authorize(actor, await Require(name, ct));
        if (credential.ProtectedSecret is null) throw new ValidationFailedException("credential", $"The credential '{name}' holds no secret.");
        try { return (credential, protector.Unprotect(credential.ProtectedSecret)); }
        catch (System.Security.Cryptography.CryptographicException)
        {
            throw new ConflictException($"The secret of '{name}' cannot be decrypted: the portal's key ring (data directory 'keys') changed since it was stored. Enter the secret again.");
        }
    }

    /// <summary>
    /// The signed-in user's credential, decrypted, for sending to <paramref name="target"/> for <paramref name="purpose"/>:
    /// of <paramref name="kind"/> (or basic), and only where its owner said it may go. Refusals name <paramref name="field"/>.
    /// </summary>
    public async Task<(Credential Credential, string Secret)> RevealForAsync(
        string name, CredentialKind kind, string target, string field, string purpose, CancellationToken ct)
    {
        var actor = ActorContext.Current ?? throw new AccessDeniedException("Sign in to use a credential.");
        var (credential, secret) = await RevealAsync(actor, name.Trim(), ct);
        if (credential.Kind != kind && credential.Kind != CredentialKind.Basic)
            throw new ValidationFailedException(field, $"The credential '{credential.Name}' is a {credential.Kind} credential; {purpose} needs a " +
                $"{kind.ToString().ToLowerInvariant()} or basic one." + (credential.Kind == CredentialKind.Ecr && kind == CredentialKind.Docker
                    ? " An ECR credential needs an AWS token exchange the portal does not do yet; store the registry login (aws ecr get-login-password) as a docker credential."
                    : ""));
        CredentialScope.Check(credential, target, field);
        return (credential, secret);
    }

    public static string? Detail(Credential c, string key) =>
        c.Details.TryGetValue(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static Credential Authorize(Actor actor, Credential c) =>
        actor.Has(Roles.Admin) || c.Owner == actor.Name ? c
            : throw new AccessDeniedException($"The credential '{c.Name}' belongs to {c.Owner}; only its owner and admins may use or change it.");

    private async Task<Credential> Require(string name, CancellationToken ct) =>
        await store.FindAsync(name, ct) ?? throw new NotFoundException("credential", name);

    private static void Validate(CredentialInput input, bool creating)
    {
        var errors = new ValidationErrors();
        if (NameRules.Check(input.Name, "credential name") is { } nameProblem) errors.Add("name", nameProblem);
        if (!Enum.IsDefined(input.Kind)) errors.Add("kind", $"Use one of {string.Join(", ", Enum.GetNames<CredentialKind>())}.");
        else
            foreach (var key in RequiredDetails[input.Kind])
                if (input.Details is null || !input.Details.TryGetValue(key, out var v) || string.IsNullOrWhiteSpace(v))
                    errors.Add(key, $"A {input.Kind} credential needs '{key}'.");
        if (creating && string.IsNullOrEmpty(input.Secret))
            errors.Add("secret", $"Enter the secret: {(Enum.IsDefined(input.Kind) ? SecretMeaning[input.Kind] : "the password or key")}.");
        if (input.Secret is { } s && System.Text.Encoding.UTF8.GetByteCount(s) > MaxSecretBytes)
            errors.Add("secret", $"The secret is larger than {MaxSecretBytes / 1024} KB.");
        if (input.Kind == CredentialKind.Gcs && !string.IsNullOrEmpty(input.Secret))
        {
            try { using var _ = JsonDocument.Parse(input.Secret); }
            catch (JsonException e) { errors.Add("secret", $"A GCS secret is the service account key JSON; this is not JSON: {JsonProblem.Describe(e)}."); }
        }
        if (input.Kind == CredentialKind.Git && input.Secret is { } pem && pem.Contains("PRIVATE KEY", StringComparison.Ordinal) && !pem.TrimEnd().EndsWith("-----", StringComparison.Ordinal))
            errors.Add("secret", "The SSH key looks cut off: it must end with its '-----END ... PRIVATE KEY-----' line.");
        if (input.Details is not null)
            foreach (var (k, _) in input.Details.Where(d => d.Key.Contains("secret", StringComparison.OrdinalIgnoreCase) || d.Key.Contains("password", StringComparison.OrdinalIgnoreCase)))
                errors.Add(k, $"'{k}' looks like a secret; put it in the secret field, which is encrypted.");
        errors.ThrowIfAny();
    }

    private static Dictionary<string, JsonElement> DetailsOf(CredentialInput input) =>
        (input.Details ?? new Dictionary<string, string>())
            .Where(d => !string.IsNullOrWhiteSpace(d.Value))
            .ToDictionary(d => d.Key, d => JsonSerializer.SerializeToElement(d.Value.Trim()));

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
