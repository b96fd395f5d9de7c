using MudBlazor;
using Microsoft.AspNetCore.Components;
using Portal.Core.Entities;
using Portal.Core.Stores;
using Portal.Web.Auth;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Datasets;
using Portal.Web.Features.Ide;

namespace Portal.Web.Features.Datasets;

/// <summary>The logic of <c>DatasetGrid.razor</c>.</summary>
public sealed partial class DatasetGrid
{

    /// <summary>Show only this model's datasets; null shows all.</summary>
    [Parameter] public string? Model { get; set; }

    private static readonly Dictionary<string, string> SortKeys = new() { ["Name"] = "name", ["Model.Name"] = "model", ["CreatedAt"] = "created_at" };
    private MudDataGrid<Dataset>? _grid;
    private string _search = "";

    private async Task<GridData<Dataset>> LoadAsync(GridState<Dataset> state, CancellationToken ct) =>
        (await Datasets.ListAsync(Model, state.ToPageRequest(_search, SortKeys), ct)).ToGridData();

    private async Task OnSearch(string search)
    {
        _search = search;
        if (_grid is not null) await _grid.ReloadServerData();
    }

    private async Task DeleteAsync(Dataset d)
    {
        if (!await Access.AllowWorkAsync("delete a dataset", $"dataset {d.Model!.Name}/{d.Name}")) return;
        var deleted = await Dialogs.ConfirmAndDeleteAsync(Notifications, $"dataset '{d.Name}' of model '{d.Model!.Name}'",
            () => Task.FromResult<IEnumerable<string>>([Confirmations.Count(d.Files.Count, "stored file", "stored files")]),
            () => Datasets.DeleteAsync(d.Model!.Name, d.Name, Aborted));
        if (deleted && _grid is not null) await _grid.ReloadServerData();
    }
}
