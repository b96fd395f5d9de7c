using Radzen;
using Microsoft.AspNetCore.Components;
using Portal.Core.Entities;
using Portal.Core.Notifications;
using Portal.Core.Stores;
using Portal.Core.Trainings;
using Portal.Web.Components.Shared;
using Radzen.Blazor;

namespace Portal.Web.Features.Trainings;

/// <summary>The logic of <c>TrainingsPage.razor</c>.</summary>
public sealed partial class TrainingsPage
{

    private static readonly Dictionary<string, string> SortKeys = new() { ["Name"] = "name", ["Task.State"] = "state", ["CreatedAt"] = "created_at" };
    private RadzenDataGrid<Training>? _grid;
    private Page<Training>? _page;
    private bool _loading;
    private string _search = "";
    private IDisposable? _changes;

    // Trainings change state and progress on their own: each change is pushed, a shown one is replaced in place.
    protected override void OnInitialized() => _changes = Changes.Subscribe(_ => true, changed => InvokeAsync(async () =>
    {
        if (_page is null) return;
        if (_page.Items.Any(t => t.Id == changed.Id))
        {
            _page = _page with { Items = [.. _page.Items.Select(t => t.Id == changed.Id ? changed : t)] };
            StateHasChanged();
        }
        else if (changed.Task.State == TaskState.Waiting && _grid is not null) await _grid.Reload();
    }));

    private async Task LoadAsync(LoadDataArgs args)
    {
        _loading = true;
        _page = await Trainings.ListAsync(null, args.ToPageRequest(_search, SortKeys), Aborted);
        _loading = false;
    }

    private async Task OnSearch(string search)
    {
        _search = search;
        if (_grid is not null) await _grid.FirstPage(true);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _changes?.Dispose();
        base.Dispose(disposing);
    }
}
