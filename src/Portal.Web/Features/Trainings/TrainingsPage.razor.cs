using MudBlazor;
using Portal.Core.Entities;
using Portal.Core.Trainings;
using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Trainings;

/// <summary>The logic of <c>TrainingsPage.razor</c>.</summary>
public sealed partial class TrainingsPage
{
    /// <summary>The grid's sortable columns and the store's sort keys (the batch jobs page sorts the same way).</summary>
    internal static readonly Dictionary<string, string> SortKeys = new() { ["Name"] = "name", ["Task.State"] = "state", ["CreatedAt"] = "created_at" };
    private MudDataGrid<Training>? _grid;
    /// <summary>The rows ticked for comparison, kept across pages and searches.</summary>
    private HashSet<Training> _selected = new(ById);

    private static readonly IEqualityComparer<Training> ById = EqualityComparer<Training>.Create((a, b) => a?.Id == b?.Id, t => t.Id.GetHashCode());

    private bool CanCompare => _selected.Count is >= TrainingComparison.MinRuns and <= TrainingComparison.MaxRuns;
    private string _search = "";
    private readonly LiveRows<Training> _rows = new(x => x.Id);

    private Training Latest(Training shown) => _rows.Latest(shown);

    // Trainings change state and progress on their own: a shown one is redrawn in place; a new one reloads the page of rows.
    protected override void OnInitialized() =>
        _rows.Follow(Changes, _ => true, t => t.Task.State == TaskState.Waiting,
            InvokeAsync, StateHasChanged, () => _grid?.ReloadServerData() ?? Task.CompletedTask);

    private async Task<GridData<Training>> LoadAsync(GridState<Training> state, CancellationToken ct)
    {
        var page = await Trainings.ListAsync(null, state.ToPageRequest(_search, SortKeys), ct);
        return _rows.Show(page);
    }

    private async Task OnSearch(string search)
    {
        _search = search;
        if (_grid is not null) await _grid.ReloadServerData();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _rows.Dispose();
        base.Dispose(disposing);
    }
}
