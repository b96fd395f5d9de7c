using MudBlazor;
using Portal.Core.Stores;

namespace Portal.Web.Components.Shared;

public static class GridPaging
{
    public const int PageSize = 20;
    public static readonly int[] PageSizes = [10, 20, 50, 100];

    /// <summary>Turns a MudDataGrid's server request into a store page request; columns' property names map to sort keys.</summary>
    public static PageRequest ToPageRequest<T>(this GridState<T> state, string? search, IReadOnlyDictionary<string, string> sortKeys)
    {
        var sort = state.SortDefinitions.FirstOrDefault();
        var key = sort?.SortBy is { } property && sortKeys.TryGetValue(property, out var k) ? k : null;
        return new PageRequest(state.Page * state.PageSize, state.PageSize, search, key, sort?.Descending == true);
    }

    /// <summary>A store page as a MudDataGrid's rows.</summary>
    public static GridData<T> ToGridData<T>(this Page<T> page) => new() { Items = page.Items, TotalItems = page.Total };
}
