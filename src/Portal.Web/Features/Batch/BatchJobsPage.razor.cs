using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Core.Batch;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Notifications;
using Portal.Core.Services;
using Portal.Core.Stores;
using Portal.Core.Trainings;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Trainings;

namespace Portal.Web.Features.Batch;

/// <summary>The logic of <c>BatchJobsPage.razor</c>: batch jobs with their live state, and a form to score a dataset.</summary>
public sealed partial class BatchJobsPage
{
    [Inject] private TrainingService Trainings { get; set; } = default!;
    [Inject] private BatchJobService Batch { get; set; } = default!;
    [Inject] private ModelVersionService Versions { get; set; } = default!;
    [Inject] private DatasetService Datasets { get; set; } = default!;
    [Inject] private ResourceProfiles Profiles { get; set; } = default!;
    [Inject] private ChangeFeed<Training> Changes { get; set; } = default!;
    [Inject] private ISnackbar Notifications { get; set; } = default!;

    private sealed class JobForm
    {
        public string? Version { get; set; }
        public string? Dataset { get; set; }
        public string? Output { get; set; }
        public string? Project { get; set; }
        public string Entry { get; set; } = "predict.py";
        public string? ResourceProfile { get; set; } = ResourceProfiles.Train;
        public string? Name { get; set; }
    }

    private readonly FormErrors _errors =
        new FormErrors().Fields("version", "dataset", "output", "project", "entry", "resource_profile", "name");
    private readonly LiveRows<Training> _rows = new(x => x.Id);
    private MudDataGrid<Training>? _grid;
    private JobForm? _form;
    private List<string> _versions = [], _datasets = [], _profiles = [];
    private bool _launching;

    private Training Latest(Training shown) => _rows.Latest(shown);

    // A shown job is redrawn in place as its supervisor publishes; a new one reloads the page of rows.
    protected override void OnInitialized() =>
        _rows.Follow(Changes, t => t.Kind == TrainingKind.Batch, t => t.Task.State == TaskState.Waiting,
            InvokeAsync, StateHasChanged, () => _grid?.ReloadServerData() ?? Task.CompletedTask);

    private async Task<GridData<Training>> LoadAsync(GridState<Training> state, CancellationToken ct)
    {
        var page = await Trainings.ListAsync(null, TrainingKind.Batch, state.ToPageRequest("", TrainingsPage.SortKeys), ct);
        return _rows.Show(page);
    }

    private async Task NewJobAsync()
    {
        var all = new PageRequest(Take: PageRequest.MaxTake);
        _versions = [.. (await Versions.ListAsync(null, all, Aborted)).Items.Select(v => $"{v.Model!.Name}/{v.Name}")];
        _datasets = [.. (await Datasets.ListAsync(null, all, Aborted)).Items.Select(d => $"{d.Model!.Name}/{d.Name}")];
        _profiles = [.. Profiles.Names.Order()];
        _errors.Clear();
        _form = new JobForm();
    }

    private void Cancel() => _form = null;

    private async Task LaunchAsync()
    {
        if (_form is not { } form) return;
        _launching = true;
        try
        {
            var job = await Batch.LaunchAsync(new BatchJobInput
            {
                Version = form.Version ?? "", Dataset = form.Dataset ?? "", Output = form.Output, Project = form.Project, Entry = form.Entry,
                ResourceProfile = form.ResourceProfile, Name = form.Name,
            }, Aborted);
            Notifications.Notify(Severity.Success, "Scoring started",
                $"{job.Name} scores {form.Dataset} with {form.Version}; the predictions become {BatchJobs.ScoredInto(job)}.");
            _form = null;
            if (_grid is not null) await _grid.ReloadServerData();
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _launching = false; }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _rows.Dispose();
        base.Dispose(disposing);
    }
}
