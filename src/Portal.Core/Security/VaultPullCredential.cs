using Portal.Core.Builds;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Core.Entities;

namespace Portal.Core.Security;

/// <summary>
/// kube.registry_credential, read from the vault for the portal itself: an admin chose it in the settings, so it is
/// revealed on the portal's own behalf whoever started the work.
/// </summary>
public sealed class VaultPullCredential(PortalConfig config, CredentialVault vault) : IPullCredentialSource
{
    private static readonly Actor Portal = new("portal", [Roles.Admin], null);

    public async Task<RegistryAuth?> GetAsync(CancellationToken ct)
    {
        if (config.Kube.RegistryCredential is not { Length: > 0 } name) return null;
        var (credential, secret) = await vault.RevealAsync(Portal, name.Trim(), ct);
        return credential.Kind is CredentialKind.Docker or CredentialKind.Basic
            ? new RegistryAuth(CredentialVault.Detail(credential, "username") ?? "", secret, credential.Uri)
            : throw new ContainerManagerException($"kube.registry_credential names '{credential.Name}', a {credential.Kind} credential; it must be a docker (or basic) credential with the registry's address.");
    }
}
