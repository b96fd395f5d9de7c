using System.Globalization;
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

    public static Dictionary<string, string> For(string kind, long id, string name, string? project = null)
    {
        var labels = new Dictionary<string, string> { [Owner] = OwnerValue, [Kind] = kind, [RecordId] = id.ToString(CultureInfo.InvariantCulture), [RecordName] = name };
        if (project is not null) labels[Project] = project;
        return labels;
    }
}
