using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Notifications;
using Portal.Core.Schedules;
using Portal.Core.Services;
using Portal.Core.Stores;
using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Schedules;

/// <summary>The logic of <c>SchedulesPage.razor</c>: schedules with their next and last time, live, and a form to add one.</summary>
public sealed partial class SchedulesPage
{
    [Inject] private ScheduleService Schedules { get; set; } = default!;
    [Inject] private ProjectService Projects { get; set; } = default!;
    [Inject] private ResourceProfiles Profiles { get; set; } = default!;
    [Inject] private ChangeFeed<TrainingSchedule> Changes { get; set; } = default!;
    [Inject] private NavigationManager Nav { get; set; } = default!;

    private sealed class ScheduleForm
    {
        public string? Project { get; set; }
        public string? Name { get; set; }
        public string? Notebook { get; set; }
        public string Cron { get; set; } = "0 3 * * *";
        public string? TimeZone { get; set; }
        public string? NewestDatasetOf { get; set; }
        public string? Parameters { get; set; }
        public string? Datasets { get; set; }
        public string? ResourceProfile { get; set; } = ResourceProfiles.Train;
        public bool AllowOverlap { get; set; }
    }

    private readonly FormErrors _errors = new FormErrors().Fields("project", "name", "notebook", "cron", "time_zone", "newest_dataset_of", "parameters",
        "datasets", "resource_profile");
    private readonly LiveRows<TrainingSchedule> _rows = new(x => x.Id);
    private MudDataGrid<TrainingSchedule>? _grid;
    private ScheduleForm? _form;
    private List<string> _projects = [], _profiles = [];
    private bool _saving;

    private TrainingSchedule Latest(TrainingSchedule shown) => _rows.Latest(shown);

    protected override void OnInitialized() =>
        _rows.Follow(Changes, _ => true, _ => true, InvokeAsync, StateHasChanged, () => _grid?.ReloadServerData() ?? Task.CompletedTask);

    private async Task<GridData<TrainingSchedule>> LoadAsync(GridState<TrainingSchedule> state, CancellationToken ct)
    {
        var page = await Schedules.ListAsync(null, new PageRequest(Skip: state.Page * state.PageSize, Take: state.PageSize), ct);
        return _rows.Show(page);
    }

    private async Task NewScheduleAsync()
    {
        _projects = [.. (await Projects.ListAsync(new PageRequest(Take: PageRequest.MaxTake), Aborted)).Items.Select(p => p.Name)];
        _profiles = [.. Profiles.Names.Order()];
        _errors.Clear();
        _form = new ScheduleForm();
    }

    private void Cancel() => _form = null;

    private async Task CreateAsync()
    {
        if (_form is not { } form) return;
        _saving = true;
        try
        {
            var schedule = await Schedules.CreateAsync(new ScheduleInput
            {
                Project = form.Project ?? "", Name = form.Name ?? "", Notebook = form.Notebook ?? "", Cron = form.Cron, TimeZone = form.TimeZone,
                NewestDatasetOf = form.NewestDatasetOf, ParametersJson = form.Parameters, ResourceProfile = form.ResourceProfile, AllowOverlap = form.AllowOverlap,
                Datasets = [.. (form.Datasets ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            }, Aborted);
            Nav.NavigateTo(ScheduleLinks.Page(schedule.Project!.Name, schedule.Name));
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _saving = false; }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _rows.Dispose();
        base.Dispose(disposing);
    }
}
