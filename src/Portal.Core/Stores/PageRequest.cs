namespace Portal.Core.Stores;

/// <summary>A page of a list: offset, size, a free-text search and one sort key.</summary>
public sealed record PageRequest(int Skip = 0, int Take = 25, string? Search = null, string? SortBy = null, bool Descending = false)
{
    public const int MaxTake = 500;

    public PageRequest Normalized() => this with { Skip = Math.Max(0, Skip), Take = Math.Clamp(Take, 1, MaxTake) };
}

public sealed record Page<T>(IReadOnlyList<T> Items, int Total, int Skip, int Take);
