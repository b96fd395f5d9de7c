namespace Portal.Core.Lineage;

/// <summary>
/// A neighbourhood around one entity: <see cref="Depth"/> steps out in both directions, at most
/// <see cref="Limit"/> neighbours of each relation per node (newest first) and <see cref="MaxNodes"/> in all.
/// </summary>
public sealed record LineageQuery(string Kind, string Name, int Depth = 2, int Limit = 25, LineageFilter? Filter = null)
{
    public const int MaxDepth = 6;
    public const int MaxLimit = 500;
    public const int MaxNodes = 2000;
}
