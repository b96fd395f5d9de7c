using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Notifications;
using Portal.Core.Services;
using Portal.Core.Stores;
using Portal.Core.Sweeps;
using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Sweeps;

/// <summary>The logic of <c>SweepsPage.razor</c>: sweeps with their live progress and best run, and a form to start one.</summary>
public sealed partial class SweepsPage
{
    [Inject] private SweepService Sweeps { get; set; } = default!;
    [Inject] private ProjectService Projects { get; set; } = default!;
    [Inject] private ResourceProfiles Profiles { get; set; } = default!;
    [Inject] private ChangeFeed<Sweep> Changes { get; set; } = default!;
    [Inject] private ISnackbar Notifications { get; set; } = default!;
    [Inject] private NavigationManager Nav { get; set; } = default!;

    private sealed class SweepForm
    {
        public string? Project { get; set; }
        public string? Name { get; set; }
        public string? Notebook { get; set; }
        public string Spec { get; set; } = SweepSpec.Example;
        public string? Objective { get; set; }
        public string Direction { get; set; } = "maximize";
        public int MaxParallel { get; set; } = 2;
        public double? Target { get; set; }
        public string? Parameters { get; set; }
        public string? Datasets { get; set; }
        public string? ResourceProfile { get; set; } = ResourceProfiles.Train;
    }

    private readonly FormErrors _errors = new FormErrors().Fields("project", "name", "notebook", "spec", "objective", "direction", "max_parallel", "target",
        "parameters", "datasets", "resource_profile");
    private readonly LiveRows<Sweep> _rows = new(x => x.Id);
    private MudDataGrid<Sweep>? _grid;
    private SweepForm? _form;
    private List<string> _projects = [], _profiles = [];
    private bool _starting;

    private Sweep Latest(Sweep shown) => _rows.Latest(shown);

    // A shown sweep is redrawn in place as its supervisor publishes; a new one reloads the page of rows.
    protected override void OnInitialized() =>
        _rows.Follow(Changes, _ => true, _ => true, InvokeAsync, StateHasChanged, () => _grid?.ReloadServerData() ?? Task.CompletedTask);

    private async Task<GridData<Sweep>> LoadAsync(GridState<Sweep> state, CancellationToken ct)
    {
        var page = await Sweeps.ListAsync(null, new PageRequest(Skip: state.Page * state.PageSize, Take: state.PageSize), ct);
        return _rows.Show(page);
    }

    private async Task NewSweepAsync()
    {
        _projects = [.. (await Projects.ListAsync(new PageRequest(Take: PageRequest.MaxTake), Aborted)).Items.Select(p => p.Name)];
        _profiles = [.. Profiles.Names.Order()];
        _errors.Clear();
        _form = new SweepForm();
    }

    private void Cancel() => _form = null;

    private async Task StartAsync()
    {
        if (_form is not { } form) return;
        _starting = true;
        try
        {
            var sweep = await Sweeps.StartAsync(new SweepInput
            {
                Project = form.Project ?? "", Name = form.Name, Notebook = form.Notebook ?? "", Spec = form.Spec, Objective = form.Objective ?? "",
                Direction = form.Direction, MaxParallel = form.MaxParallel, Target = form.Target, ParametersJson = form.Parameters,
                Datasets = [.. (form.Datasets ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
                ResourceProfile = form.ResourceProfile,
            }, Aborted);
            Notifications.Notify(Severity.Success, "Sweep started", $"{sweep.Name} runs {sweep.Trials.Count} trials, {sweep.MaxParallel} at once.");
            Nav.NavigateTo(SweepLinks.Page(sweep.Project!.Name, sweep.Name));
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _starting = false; }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _rows.Dispose();
        base.Dispose(disposing);
    }
}
