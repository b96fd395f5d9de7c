namespace Portal.Core.Lineage;

/// <summary>The kinds of lineage nodes and how each is named in URLs and the API.</summary>
public static class LineageKinds
{
    public const string Dataset = "dataset";
    public const string Training = "training";
    public const string Version = "version";
    public const string Deployment = "deployment";
    public const string Build = "build";
    public const string Package = "package";

    public static readonly string[] All = [Dataset, Training, Version, Deployment, Build, Package];

    /// <summary>How a name of each kind is written, for messages.</summary>
    public static string NameShape(string kind) => kind switch
    {
        Dataset => "model/dataset",
        Training => "project/training",
        Version => "model/version",
        Deployment => "deployment",
        Build => "project/tag",
        Package => "package",
        _ => "name",
    };

    public static string NodeId(string kind, long id) => $"{kind}:{id}";

    /// <summary>The kind and database id of a node id; null when it is not one.</summary>
    public static (string Kind, long Id)? ParseNodeId(string? nodeId)
    {
        var parts = (nodeId ?? "").Split(':', 2);
        return parts.Length == 2 && All.Contains(parts[0]) && long.TryParse(parts[1], out var id) && id > 0 ? (parts[0], id) : null;
    }
}
