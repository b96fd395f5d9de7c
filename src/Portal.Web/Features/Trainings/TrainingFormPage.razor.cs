using MudBlazor;
using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Names;
using Portal.Core.Stores;
using Portal.Core.Trainings;
using Portal.Web.Auth;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Deployments;
using Portal.Web.Features.Ide;
using Portal.Web.Features.Trainings;

namespace Portal.Web.Features.Trainings;

/// <summary>The logic of <c>TrainingFormPage.razor</c>.</summary>
public sealed partial class TrainingFormPage
{

    [SupplyParameterFromQuery(Name = "project")] public string? InitialProject { get; set; }
    [SupplyParameterFromQuery(Name = "build_tag")] public string? InitialBuildTag { get; set; }

    private sealed record BuildChoice(string Text, string Value);
    private List<BuildChoice> _builds = [];
    private List<string> _versions = [];
    private string? _pretrained;
    private string _buildTag = "";

    private readonly FormErrors _errors = new FormErrors().Fields("project", "build_tag", "pretrained", "notebook", "parameters", "datasets", "resource_profile", "name", "env", "mounts");
    private List<string> _projects = [], _allDatasets = [], _profiles = [];
    private string? _project, _parametersHint;
    private string _notebook = "train.ipynb", _parameters = "", _name = ReadableNames.Next(), _env = "", _mounts = "", _profile = ResourceProfiles.Train;
    private IReadOnlyCollection<string> _datasets = [];
    private bool _loaded, _launching;
    private ManagerHealth? _health;

    protected override async Task OnInitializedAsync()
    {
        _projects = (await Projects.ListAsync(new PageRequest(Take: PageRequest.MaxTake), Aborted)).Items.Select(p => p.Name).ToList();
        _allDatasets = (await Datasets.ListAsync(null, new PageRequest(Take: PageRequest.MaxTake), Aborted)).Items.Select(d => $"{d.Model!.Name}/{d.Name}").ToList();
        _profiles = Profiles.Names.Order().ToList();
        _project = _projects.Contains(InitialProject ?? "") ? InitialProject : _projects.Count == 1 ? _projects[0] : null;
        await LoadBuildsAsync(InitialBuildTag);
        _loaded = true;
        _health = await Trainings.CheckManagerAsync(Aborted);
    }

    private async Task LoadBuildsAsync(string? select)
    {
        _builds = [new BuildChoice($"Notebook base image ({Portal.Core.Builds.ProjectImages.NotebookBase})", "")];
        _buildTag = "";
        _versions = [];
        if (_project is null) return;
        var project = await Projects.GetAsync(_project, Aborted);
        // Without a home directory the code lives only in the project's builds, so the bare base image is no choice.
        _codeFromImage = project.HomeDir is null;
        if (_codeFromImage) _builds.Clear();
        _versions = (await Versions.ListForModelsAsync(project.Models.Select(m => m.Name).ToList(), 200, Aborted)).Select(v => $"{v.Model!.Name}/{v.Name}").ToList();
        _pretrained = null;
        _builds.AddRange((await Builder.ListVersionsAsync(project.Id, Aborted)).Select(b => new BuildChoice($"{b.Tag} · {b.Image} · built {b.BuiltAt:yyyy-MM-dd HH:mm}", b.Tag)));
        _buildTag = _builds.Any(b => b.Value == select) ? select! : _builds.Count > (_codeFromImage ? 0 : 1) ? _builds[_codeFromImage ? 0 : 1].Value : "";
    }

    private bool _codeFromImage;

    private void CheckParameters(string? text)
    {
        _parametersHint = null;
        if (string.IsNullOrWhiteSpace(text)) return;
        try
        {
            using var doc = JsonDocument.Parse(text);
            _parametersHint = doc.RootElement.ValueKind == JsonValueKind.Object
                ? $"{doc.RootElement.EnumerateObject().Count()} parameters: {string.Join(", ", doc.RootElement.EnumerateObject().Select(p => p.Name))}"
                : "⚠ Parameters must be a JSON object: { \"name\": value, … }";
        }
        catch (JsonException e) { _parametersHint = $"⚠ Not valid JSON yet: {JsonProblem.Describe(e)}"; }
    }

    private async Task LaunchAsync()
    {
        _errors.Clear();
        if (_project is null)
        {
            _errors.Set(new ValidationFailedException("project", "Choose the project whose notebook runs."));
            return;
        }
        var env = new Dictionary<string, string>();
        foreach (var line in _env.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = line.IndexOf('=');
            if (eq <= 0)
            {
                _errors.Set(new ValidationFailedException("env", $"'{line}' is not NAME=value."));
                return;
            }
            env[line[..eq].Trim()] = line[(eq + 1)..];
        }
        _launching = true;
        try
        {
            var training = await Trainings.LaunchAsync(new TrainingInput
            {
                Project = _project, Name = _name, Notebook = _notebook, ParametersJson = _parameters,
                Datasets = _datasets.ToList(), Env = env, ResourceProfile = _profile, BuildTag = _buildTag, Pretrained = _pretrained,
                Mounts = _mounts.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            }, Aborted);
            Notifications.Notify(Severity.Success, "Training started", training.Name);
            Nav.NavigateTo(TrainingLinks.Page(_project, training.Name));
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _launching = false; }
    }
}
