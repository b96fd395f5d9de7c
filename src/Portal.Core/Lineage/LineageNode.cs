namespace Portal.Core.Lineage;

/// <summary>
/// One thing in the lineage graph. <see cref="Id"/> is <c>kind:id</c> (stable across queries, so a client can merge
/// neighbourhoods); <see cref="Name"/> is how users and the API address it (<c>model/name</c>, <c>project/name</c>, ...).
/// </summary>
public sealed record LineageNode(
    string Id,
    string Kind,
    string Name,
    string Label,
    string? Project,
    string? Model,
    DateTime At,
    string? State,
    IReadOnlyList<string> Environments);

/// <summary>Data flows from <see cref="Source"/> to <see cref="Target"/>; <see cref="Relation"/> says how.</summary>
public sealed record LineageEdge(string Source, string Target, string Relation);
