using Portal.Core.Entities;

namespace Portal.Core.Security;

/// <summary>
/// A credential as a form or the API sends it. <see cref="Secret"/> is write-only: null on an update keeps the stored one.
/// <see cref="Details"/> holds the non-secret fields of the kind (username, region, key_id).
/// </summary>
public sealed record CredentialInput(string Name, CredentialKind Kind, string? Uri, string? Desc, IReadOnlyDictionary<string, string>? Details, string? Secret);
