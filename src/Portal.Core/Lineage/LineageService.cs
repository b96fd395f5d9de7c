using Portal.Core.Configuration;
using Portal.Core.Errors;
using Portal.Core.Stores;

namespace Portal.Core.Lineage;

/// <summary>
/// Answers "where did this come from and where did it go": a breadth-first walk from one entity over the store's
/// lineage relations, a neighbourhood rather than the world, so it stays fast however large the store grows.
/// </summary>
public sealed class LineageService(ILineageStore store, PortalConfig config)
{
    public async Task<LineageGraph> GetAsync(LineageQuery query, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (!LineageKinds.All.Contains(query.Kind))
            errors.Add("kind", $"'{query.Kind}' is not a kind of lineage node; use one of {string.Join(", ", LineageKinds.All)}.");
        if (string.IsNullOrWhiteSpace(query.Name)) errors.Add("name", "Name the entity to start from.");
        if (query.Depth is < 0 or > LineageQuery.MaxDepth) errors.Add("depth", $"The depth must be between 0 and {LineageQuery.MaxDepth} (it is {query.Depth}).");
        if (query.Limit is < 1 or > LineageQuery.MaxLimit) errors.Add("limit", $"The limit must be between 1 and {LineageQuery.MaxLimit} (it is {query.Limit}).");
        if (query.Filter is { From: { } from, To: { } to } && from > to) errors.Add("from", "The start of the time window is after its end.");
        errors.ThrowIfAny();

        var root = await store.FindAsync(query.Kind, query.Name.Trim(), ct)
            ?? throw new NotFoundException(query.Kind, query.Name.Trim());
        var filter = query.Filter ?? LineageFilter.None;

        var nodes = new Dictionary<string, LineageNode> { [root.Id] = WithEntryEnvironment(root) };
        var edges = new HashSet<LineageEdge>();
        var hidden = new Dictionary<string, int>();
        var truncated = false;
        var frontier = new List<string> { root.Id };
        for (var level = 0; level < query.Depth && frontier.Count > 0; level++)
        {
            var next = new List<string>();
            foreach (var id in frontier)
            {
                var found = await store.NeighboursAsync(id, filter, query.Limit, ct);
                var left = found.Left;
                foreach (var node in found.Nodes)
                {
                    if (!nodes.ContainsKey(node.Id))
                    {
                        if (nodes.Count >= LineageQuery.MaxNodes) { truncated = true; left++; continue; }
                        nodes[node.Id] = WithEntryEnvironment(node);
                        next.Add(node.Id);
                    }
                }
                foreach (var edge in found.Edges)
                    if (nodes.ContainsKey(edge.Source) && nodes.ContainsKey(edge.Target)) edges.Add(edge);
                if (left > 0) hidden[id] = left;
            }
            frontier = next;
        }
        return new LineageGraph(root.Id, [.. nodes.Values], [.. edges], hidden, frontier, truncated);
    }

    /// <summary>Every version is in the first environment from the start; the store only knows promotions.</summary>
    private LineageNode WithEntryEnvironment(LineageNode node) =>
        node.Kind == LineageKinds.Version && config.Environments.Count > 0
            ? node with { Environments = config.Environments.Where(e => e == config.Environments[0] || node.Environments.Contains(e)).ToList() }
            : node;
}
