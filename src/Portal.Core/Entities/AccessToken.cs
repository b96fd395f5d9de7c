namespace Portal.Core.Entities;

/// <summary>
/// A personal access token for the API. Only a SHA-256 hash is kept; the token itself is shown once, when created.
/// The token acts with its owner's roles, checked again on every use.
/// </summary>
public sealed class AccessToken
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public PortalUser? User { get; set; }
    public string Name { get; set; } = "";
    /// <summary>The first characters of the token, so a user can tell tokens apart without the secret.</summary>
    public string Prefix { get; set; } = "";
    public string Hash { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
}
