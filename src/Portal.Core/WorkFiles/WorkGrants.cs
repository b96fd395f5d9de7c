using System.Security.Cryptography;
using System.Text.Json;
using Portal.Core.Entities;
using Portal.Core.Security;

namespace Portal.Core.WorkFiles;

/// <summary>
/// The read-only grant that work without a task token fetches its files with: a deployment's replicas (the one version
/// they serve) or an IDE session (the datasets and versions it was opened with), sealed with the portal's key ring. It
/// holds while the deployment or session exists, so a replica started later (a scale-up, a node lost) still gets its
/// files; removing the deployment or stopping the session ends it.
/// </summary>
public sealed class WorkGrants(ISecretProtector protector)
{
    private const string Seal = "work-grant";

    public string ForDeployment(Deployment deployment, long versionId) =>
        Issue(new WorkGrant(WorkGrantKind.Deployment, deployment.Id, deployment.Name, null, [versionId], []));

    public string ForIde(IdeSession session, IEnumerable<long> datasetIds, IEnumerable<long> versionIds) =>
        Issue(new WorkGrant(WorkGrantKind.Ide, session.Id, session.Name, session.User, [.. versionIds], [.. datasetIds]));

    /// <summary>The grant a token stands for, or null when it is not one this portal sealed.</summary>
    public WorkGrant? Read(string token)
    {
        try
        {
            return JsonSerializer.Deserialize<Payload>(protector.Unprotect(token)) is { Seal: WorkGrants.Seal } p ? p.Grant : null;
        }
        catch (Exception e) when (e is CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }

    private string Issue(WorkGrant grant) => protector.Protect(JsonSerializer.Serialize(new Payload(Seal, grant)));

    private sealed record Payload(string Seal, WorkGrant Grant);
}

public enum WorkGrantKind { Deployment, Ide }

/// <summary>What a grant lets its holder read: these model versions and datasets (ids), for that deployment or session.</summary>
public sealed record WorkGrant(
    WorkGrantKind Kind, long Id, string Name, string? User, IReadOnlyList<long> Versions, IReadOnlyList<long> Datasets);
