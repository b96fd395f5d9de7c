namespace Portal.Core.Lineage;

/// <summary>
/// A neighbourhood of the lineage. <see cref="Hidden"/> counts, per node, the neighbours the per-relation limit or
/// the node cap left out; <see cref="Unexplored"/> lists the nodes at the edge of the depth whose neighbours were not
/// looked at. The page offers to expand both.
/// </summary>
public sealed record LineageGraph(
    string Root,
    IReadOnlyList<LineageNode> Nodes,
    IReadOnlyList<LineageEdge> Edges,
    IReadOnlyDictionary<string, int> Hidden,
    IReadOnlyList<string> Unexplored,
    bool Truncated);
