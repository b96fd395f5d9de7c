using Portal.Core.Lineage;

namespace Portal.Core.Stores;

/// <summary>The lineage relations of the metadata store, read one node at a time so a query touches only a neighbourhood.</summary>
public interface ILineageStore
{
    /// <summary>The node named <paramref name="name"/> (written as <see cref="LineageKinds.NameShape"/>), or null.</summary>
    Task<LineageNode?> FindAsync(string kind, string name, CancellationToken ct);

    /// <summary>
    /// The nodes linked to <paramref name="nodeId"/> in either direction that pass <paramref name="filter"/>, at most
    /// <paramref name="limit"/> per relation (newest first), the edges to them, and how many were left out.
    /// </summary>
    Task<LineageNeighbours> NeighboursAsync(string nodeId, LineageFilter filter, int limit, CancellationToken ct);
}

public sealed record LineageNeighbours(IReadOnlyList<LineageNode> Nodes, IReadOnlyList<LineageEdge> Edges, int Left);
