using System.Text.Json;

namespace Portal.Core.Entities;

/// <summary>
/// A named set of credentials (Noronha's treasure chest, Odahu's connection). The secret is kept
/// only in protected (encrypted) form; the vault that encrypts it comes with the identity work.
/// </summary>
public sealed class Credential
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public CredentialKind Kind { get; set; }
    public string Owner { get; set; } = "";
    public string? Desc { get; set; }
    /// <summary>Where the credential is used, e.g. a git URL or a registry host.</summary>
    public string? Uri { get; set; }
    public string? ProtectedSecret { get; set; }
    public Dictionary<string, JsonElement> Details { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public enum CredentialKind { Git, Docker, Ecr, S3, Gcs, AzureBlob, Basic }
