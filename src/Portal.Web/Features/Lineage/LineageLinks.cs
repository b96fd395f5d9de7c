using Portal.Core.Lineage;
using Portal.Web.Features.Datasets;
using Portal.Web.Features.Deployments;
using Portal.Web.Features.ModelVersions;
using Portal.Web.Features.Trainings;

namespace Portal.Web.Features.Lineage;

public static class LineageLinks
{
    /// <summary>The lineage page centred on one entity; names keep their '/' (the route takes the rest of the path).</summary>
    public static string Page(string kind, string name) =>
        $"/lineage/{kind}/{string.Join('/', name.Split('/').Select(Uri.EscapeDataString))}";

    /// <summary>The entity's own page (a build has none: its project's page lists it; a package's version page lists it).</summary>
    public static string? Detail(LineageNode node)
    {
        var (owner, item) = ReferenceLookupsOf(node.Name);
        return node.Kind switch
        {
            LineageKinds.Dataset => DatasetLinks.Page(owner, item),
            LineageKinds.Training => TrainingLinks.Page(owner, item),
            LineageKinds.Version => VersionLinks.Page(owner, item),
            LineageKinds.Deployment => DeploymentLinks.Page(node.Name),
            LineageKinds.Build => $"/projects/{Uri.EscapeDataString(owner)}",
            _ => null,
        };
    }

    private static (string Owner, string Item) ReferenceLookupsOf(string name) =>
        Core.Stores.ReferenceLookups.Split(name) ?? (name, name);
}
