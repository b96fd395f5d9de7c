using Radzen;
using Portal.Core.Stores;

namespace Portal.Web.Components.Shared;

public static class GridPaging
{
    public const int PageSize = 20;
    public static readonly int[] PageSizes = [10, 20, 50, 100];

    /// <summary>Turns a Radzen grid's load request into a store page request; column properties map to sort keys.</summary>
    public static PageRequest ToPageRequest(this LoadDataArgs args, string? search, IReadOnlyDictionary<string, string> sortKeys)
    {
        var sort = args.Sorts?.FirstOrDefault(s => s.SortOrder is not null);
        var key = sort?.Property is { } property && sortKeys.TryGetValue(property, out var k) ? k : null;
        return new PageRequest(args.Skip ?? 0, args.Top ?? PageSize, search, key, sort?.SortOrder == SortOrder.Descending);
    }
}
