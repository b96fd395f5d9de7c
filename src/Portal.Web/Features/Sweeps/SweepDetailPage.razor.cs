using System.Text.Json;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Notifications;
using Portal.Core.Sweeps;
using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Sweeps;

/// <summary>The logic of <c>SweepDetailPage.razor</c>: a sweep's progress, best run and trials, live; stop it or promote the best version.</summary>
public sealed partial class SweepDetailPage
{
    [Parameter] public string Project { get; set; } = "";
    [Parameter] public string Name { get; set; } = "";

    [Inject] private SweepService Sweeps { get; set; } = default!;
    [Inject] private ChangeFeed<Sweep> SweepChanges { get; set; } = default!;
    [Inject] private ChangeFeed<Training> TrainingChanges { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Notifications { get; set; } = default!;

    /// <summary>One row of the trials table: the spec's values, and the training once launched.</summary>
    private sealed record TrialRow(int Number, string Name, Dictionary<string, JsonElement> Parameters, Training? Run, double? Objective, bool Best);

    private Sweep? _sweep;
    private bool _notFound;
    private List<TrialRow> _trials = [];
    private List<string> _parameterNames = [];
    private readonly List<IDisposable> _subscriptions = [];

    private int Done => _trials.Count(t => t.Run?.Task.State is TaskState.Finished or TaskState.Failed or TaskState.Cancelled);

    protected override async Task OnParametersSetAsync()
    {
        foreach (var s in _subscriptions) s.Dispose();
        _subscriptions.Clear();
        try { await LoadAsync(await Sweeps.GetAsync(Project, Name, Aborted)); }
        catch (NotFoundException)
        {
            _notFound = true;
            return;
        }
        var id = _sweep!.Id;
        _subscriptions.Add(SweepChanges.Subscribe(s => s.Id == id, changed => InvokeAsync(() => LoadAsync(changed))));
        _subscriptions.Add(TrainingChanges.Subscribe(t => t.SweepId == id, _ => InvokeAsync(() => LoadAsync(_sweep!))));
    }

    private async Task LoadAsync(Sweep sweep)
    {
        var runs = await Sweeps.TrialsAsync(sweep, Aborted);
        _sweep = sweep;
        _parameterNames = [.. sweep.Trials.SelectMany(t => t.Keys).Distinct()];
        _trials = [.. sweep.Trials.Select((parameters, i) =>
        {
            var name = sweep.TrialName(i + 1);
            var run = runs.FirstOrDefault(r => r.Name == name);
            return new TrialRow(i + 1, name, parameters, run,
                run is not null && run.Metrics.TryGetValue(sweep.Objective, out var v) ? v : null, run is not null && run.Id == sweep.BestTrainingId);
        })];
        StateHasChanged();
    }

    private async Task StopAsync()
    {
        if (!await Dialogs.ConfirmAsync($"Stop the sweep '{Name}'? Its trials still running are cancelled; no more are launched.", "Stop sweep", "Stop")) return;
        try { await LoadAsync(await Sweeps.StopAsync(Project, Name, Aborted)); }
        catch (PortalException e) { Notifications.Notify(Severity.Error, "Not stopped", e.Message); }
    }

    private async Task PromoteBestAsync()
    {
        if (!await Dialogs.ConfirmAsync($"Promote the version {_sweep!.BestTrainingName} published to the next environment?", "Promote the best run",
                "Promote")) return;
        try
        {
            var version = await Sweeps.PromoteBestAsync(Project, Name, null, null, Aborted);
            Notifications.Notify(Severity.Success, "Promoted", $"Version {version.Name} of {version.Model?.Name} was promoted.");
        }
        catch (PortalException e) { Notifications.Notify(Severity.Error, "Not promoted", e.Message); }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) foreach (var s in _subscriptions) s.Dispose();
        base.Dispose(disposing);
    }
}
