using Portal.Web.Components.Shared;
using MudBlazor;
using Microsoft.AspNetCore.Components;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Notifications;
using Portal.Core.Services;
using Portal.Core.Trainings;
using Portal.Web.Auth;

namespace Portal.Web.Features.Trainings;

/// <summary>
/// One training: its state, progress and metrics as its supervisor publishes them (pushed, never polled), its live log,
/// the failing cell, the executed notebook, and the versions published from it.
/// </summary>
public sealed partial class TrainingDetailPage
{
    [Parameter] public string Project { get; set; } = "";
    [Parameter] public string Name { get; set; } = "";

    [Inject] private PageAccess Access { get; set; } = default!;
    [Inject] private TrainingService Trainings { get; set; } = default!;
    [Inject] private Portal.Core.Logs.TaskLogBook LogBook { get; set; } = default!;
    [Inject] private ChangeFeed<Training> Changes { get; set; } = default!;
    [Inject] private ModelVersionService Versions { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Notifications { get; set; } = default!;
    [Inject] private NavigationManager Nav { get; set; } = default!;

    private Training? _training;
    private IReadOnlyList<ModelVersion> _published = [];
    private bool _notFound;
    private IDisposable? _changes;

    private bool IsActive => _training?.Task.State is TaskState.Waiting or TaskState.Running;

    private string Duration => _training?.Task.StartTime is { } start
        ? ((IsActive ? DateTime.UtcNow : _training.Task.UpdateTime ?? DateTime.UtcNow) - start) switch
        {
            var d when d.TotalHours >= 1 => $"{(int)d.TotalHours} h {d.Minutes} min",
            var d when d.TotalMinutes >= 1 => $"{(int)d.TotalMinutes} min {d.Seconds} s",
            var d => $"{d.TotalSeconds:0.0} s",
        }
        : "—";

    protected override async Task OnParametersSetAsync()
    {
        _changes?.Dispose();
        _training = null;
        // Subscribed before the read, so no change is missed; whichever of the two is newer is shown.
        _changes = Changes.Subscribe(t => t.Name == Name && t.Project?.Name == Project, changed => InvokeAsync(() =>
        {
            _training = changed;
            StateHasChanged();
        }));
        try
        {
            var read = await Trainings.GetAsync(Project, Name, Aborted);
            if (_training is null || read.Task.UpdateTime >= _training.Task.UpdateTime) _training = read;
            _published = await Versions.PublishedByAsync(_training, Aborted);
        }
        catch (NotFoundException) { _notFound = true; }
    }

    private async Task CancelAsync()
    {
        if (!await Access.AllowWorkAsync("cancel a training", $"training {Project}/{Name}")) return;
        if (await Dialogs.ConfirmAsync($"Stop the training '{Name}'? Its process or container is stopped; what it wrote so far is kept.", "Cancel training",
                "Stop it", "Keep running") != true)
            return;
        try
        {
            await Trainings.CancelAsync(Project, Name, Aborted);
            Notifications.Notify(Severity.Info, "Cancelling", Name);
        }
        catch (PortalException e) { Notifications.Notify(Severity.Error, "Could not cancel", e.Message, TimeSpan.FromSeconds(10)); }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _changes?.Dispose();
        base.Dispose(disposing);
    }
}
