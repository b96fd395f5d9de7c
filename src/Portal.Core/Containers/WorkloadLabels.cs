using System.Globalization;

namespace Portal.Core.Containers;

/// <summary>The labels of one installation's workloads.</summary>
public sealed class WorkloadLabels(Configuration.InstallationId installation)
{
    public Dictionary<string, string> For(string kind, long id, string name, string? project = null) => Of(installation.Value, kind, id, name, project);

    public static Dictionary<string, string> Of(string installation, string kind, long id, string name, string? project = null)
    {
        var labels = new Dictionary<string, string>
        {
            [PortalLabels.Owner] = PortalLabels.OwnerValue, [PortalLabels.Installation] = installation, [PortalLabels.Kind] = kind,
            [PortalLabels.RecordId] = id.ToString(CultureInfo.InvariantCulture), [PortalLabels.RecordName] = name,
        };
        if (project is not null) labels[PortalLabels.Project] = project;
        return labels;
    }
}
