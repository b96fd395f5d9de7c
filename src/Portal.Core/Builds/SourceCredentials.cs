namespace Portal.Core.Builds;

/// <summary>How to authenticate a git clone: an SSH private key, or a user name and token for HTTPS.</summary>
public sealed record GitAuth(string? Username, string Secret)
{
    public bool IsSshKey => Secret.Contains("PRIVATE KEY-----", StringComparison.Ordinal);
}

/// <summary>A registry login for pulling an image (Docker's X-Registry-Auth).</summary>
public sealed record RegistryAuth(string Username, string Password, string? Server);
