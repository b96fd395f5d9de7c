using System.Security.Cryptography;
using System.Text.Json;
using Portal.Core.Security;

namespace Portal.Core.WorkFiles;

/// <summary>
/// The read-only grant a deployment's replicas fetch their model version with: the deployment and the one version it
/// serves, sealed with the portal's key ring. It holds while the deployment exists, so a replica started later (a
/// scale-up, a node lost) still gets its files; removing the deployment ends it.
/// </summary>
public sealed class WorkGrants(ISecretProtector protector)
{
    private const string Kind = "deployment-grant";

    public string ForDeployment(Entities.Deployment deployment, long versionId) =>
        protector.Protect(JsonSerializer.Serialize(new Payload(Kind, deployment.Id, deployment.Name, versionId)));

    /// <summary>The grant a token stands for, or null when it is not one this portal sealed.</summary>
    public DeploymentGrant? Read(string token)
    {
        try
        {
            return JsonSerializer.Deserialize<Payload>(protector.Unprotect(token)) is { Grant: Kind } p ? new DeploymentGrant(p.Deployment, p.Name, p.Version) : null;
        }
        catch (Exception e) when (e is CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }

    private sealed record Payload(string Grant, long Deployment, string Name, long Version);
}

public sealed record DeploymentGrant(long DeploymentId, string Deployment, long VersionId);
