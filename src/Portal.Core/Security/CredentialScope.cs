using Portal.Core.Entities;
using Portal.Core.Errors;

namespace Portal.Core.Security;

/// <summary>
/// Where a credential may be sent: only to addresses under the prefix its owner set on it (<see cref="Credential.Uri"/>).
/// A project's repository is shared with everyone who may edit the project, so whoever changes it must not be able
/// to redirect another user's token to an address of their choosing.
/// </summary>
public static class CredentialScope
{
    /// <summary>Refuses sending <paramref name="credential"/> to <paramref name="target"/> unless it lies under the credential's prefix.</summary>
    public static void Check(Credential credential, string target, string field)
    {
        if (string.IsNullOrWhiteSpace(credential.Uri))
            throw new ValidationFailedException(field, $"The credential '{credential.Name}' names no address (uri), so the portal sends it nowhere. " +
                $"Its owner sets the address it is for, e.g. https://git.example.com/team/ or registry.example.com.");
        if (!Covers(credential.Uri.Trim(), target.Trim()))
            throw new ValidationFailedException(field, $"The credential '{credential.Name}' is for {credential.Uri}, not for {target}. " +
                "A credential is sent only to the address its owner set on it.");
    }

    /// <summary>
    /// Whether <paramref name="target"/> starts with <paramref name="prefix"/> at a boundary (so https://git.example.com
    /// covers https://git.example.com/team/repo.git but not https://git.example.com.evil.test); scheme and host ignore case.
    /// </summary>
    public static bool Covers(string prefix, string target)
    {
        if (!target.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return false;
        if (target.Length == prefix.Length || prefix.EndsWith('/') || prefix.EndsWith(':')) return true;
        return target[prefix.Length] is '/' or ':';
    }
}
