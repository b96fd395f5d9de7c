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
    private IDisposable? _changes;
    /// <summary>The newest state of each shown training, as the change feed pushes it.</summary>
    private readonly Dictionary<long, Training> _latest = [];

    private Training Latest(Training shown) => _latest.GetValueOrDefault(shown.Id) ?? shown;

    // Trainings change state and progress on their own: a shown one is redrawn in place; a new one reloads the page of rows.
    protected override void OnInitialized() => _changes = Changes.Subscribe(_ => true, changed => InvokeAsync(async () =>
    {
        if (_latest.ContainsKey(changed.Id))
        {
            _latest[changed.Id] = changed;
            StateHasChanged();
        }
        else if (changed.Task.State == TaskState.Waiting && _grid is not null) await _grid.ReloadServerData();
    }));

    private async Task<GridData<Training>> LoadAsync(GridState<Training> state, CancellationToken ct)
    {
        var page = await Trainings.ListAsync(null, state.ToPageRequest(_search, SortKeys), ct);
        _latest.Clear();
        foreach (var t in page.Items) _latest[t.Id] = t;
        return page.ToGridData();
    }

    private async Task OnSearch(string search)
    {
        _search = search;
        if (_grid is not null) await _grid.ReloadServerData();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _changes?.Dispose();
        base.Dispose(disposing);
    }
}
