namespace Portal.Core.Containers;

/// <summary>
/// Labels on everything the portal starts. They are the contract between the portal and the engines: after a
/// restart the portal finds its workloads by <see cref="Owner"/> and maps them back to records by kind and id.
/// </summary>
public static class PortalLabels
{
    public const string Owner = "io.mlops-portal.owner";
    public const string OwnerValue = "mlops-portal";
    public const string Kind = "io.mlops-portal.kind";
    public const string RecordId = "io.mlops-portal.id";
    public const string RecordName = "io.mlops-portal.name";
    public const string Project = "io.mlops-portal.project";
    /// <summary>Which portal started it (its <see cref="Configuration.InstallationId"/>): record ids repeat across portals sharing an engine.</summary>
    public const string Installation = "io.mlops-portal.installation";
}
