using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Notifications;
using Portal.Core.Schedules;
using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Schedules;

/// <summary>The logic of <c>ScheduleDetailPage.razor</c>: a schedule's next times and history with its runs' states, live; pause, resume, delete.</summary>
public sealed partial class ScheduleDetailPage
{
    [Parameter] public string Project { get; set; } = "";
    [Parameter] public string Name { get; set; } = "";

    [Inject] private ScheduleService Schedules { get; set; } = default!;
    [Inject] private ChangeFeed<TrainingSchedule> ScheduleChanges { get; set; } = default!;
    [Inject] private ChangeFeed<Training> TrainingChanges { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Notifications { get; set; } = default!;
    [Inject] private NavigationManager Nav { get; set; } = default!;

    private TrainingSchedule? _schedule;
    private IReadOnlyList<Training> _runs = [];
    private IReadOnlyList<DateTime> _upcoming = [];
    private bool _notFound;
    private readonly List<IDisposable> _subscriptions = [];

    protected override async Task OnParametersSetAsync()
    {
        foreach (var s in _subscriptions) s.Dispose();
        _subscriptions.Clear();
        try { await LoadAsync(await Schedules.GetAsync(Project, Name, Aborted)); }
        catch (NotFoundException)
        {
            _notFound = true;
            return;
        }
        var id = _schedule!.Id;
        _subscriptions.Add(ScheduleChanges.Subscribe(s => s.Id == id, changed => InvokeAsync(() => LoadAsync(changed))));
        _subscriptions.Add(TrainingChanges.Subscribe(t => t.ScheduleId == id, _ => InvokeAsync(() => LoadAsync(_schedule!))));
    }

    private async Task LoadAsync(TrainingSchedule schedule)
    {
        _runs = await Schedules.RunsAsync(schedule, Aborted);
        _schedule = schedule;
        _upcoming = ScheduleService.Upcoming(schedule);
        StateHasChanged();
    }

    private Task PauseAsync() => ActAsync(() => Schedules.PauseAsync(Project, Name, Aborted));

    private Task ResumeAsync() => ActAsync(() => Schedules.ResumeAsync(Project, Name, Aborted));

    private async Task ActAsync(Func<Task<TrainingSchedule>> act)
    {
        try { await LoadAsync(await act()); }
        catch (PortalException e) { Notifications.Notify(Severity.Error, "Not changed", e.Message); }
    }

    private async Task DeleteAsync()
    {
        if (!await Dialogs.ConfirmAsync($"Delete the schedule '{Name}'? Nothing more runs; the trainings it launched stay.", "Delete schedule", "Delete")) return;
        try
        {
            await Schedules.DeleteAsync(Project, Name, Aborted);
            Nav.NavigateTo("/schedules");
        }
        catch (PortalException e) { Notifications.Notify(Severity.Error, "Not deleted", e.Message); }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) foreach (var s in _subscriptions) s.Dispose();
        base.Dispose(disposing);
    }
}
