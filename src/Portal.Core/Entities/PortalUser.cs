namespace Portal.Core.Entities;

/// <summary>
/// Someone who signs in. Local accounts carry a password hash; accounts from the OpenID provider are
/// recorded on each sign-in (roles as the provider's claims mapped them) so admins can see who uses the portal.
/// </summary>
public sealed class PortalUser
{
    public long Id { get; set; }
    /// <summary>Login name; also the owner name on IDE sessions, credentials and audit rows.</summary>
    public string Name { get; set; } = "";
    public string? DisplayName { get; set; }
    public string? Email { get; set; }
    public List<string> Roles { get; set; } = [];
    public UserSource Source { get; set; }
    /// <summary>PBKDF2 hash (see <c>PasswordHashing</c>); null for provider accounts.</summary>
    public string? PasswordHash { get; set; }
    /// <summary>Set for a generated or reset password: the next sign-in must choose a new one.</summary>
    public bool MustChangePassword { get; set; }
    public bool Disabled { get; set; }
    public int FailedSignIns { get; set; }
    public DateTime? LockedUntil { get; set; }
    /// <summary>
    /// Carried by every browser session of the user and compared on each request: a new value (sign-out, a password
    /// or role change, disabling) ends all of them at once.
    /// </summary>
    public string SecurityStamp { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? LastSignInAt { get; set; }
}

public enum UserSource { Local, Oidc }
