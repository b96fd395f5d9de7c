using MudBlazor;
using Microsoft.AspNetCore.Components;
using Portal.Core.Builds;
using Portal.Core.Containers;
using Portal.Core.Deployments;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Names;
using Portal.Core.Packages;
using Portal.Core.Stores;
using Portal.Web.Auth;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Deployments;
using Portal.Web.Features.Ide;
using Portal.Web.Features.Trainings;

namespace Portal.Web.Features.Deployments;

/// <summary>The logic of <c>DeploymentFormPage.razor</c>.</summary>
public sealed partial class DeploymentFormPage
{

    [SupplyParameterFromQuery(Name = "model_version")] public string? InitialVersion { get; set; }
    /// <summary>Coming from a package: its image serves, so no project, version or code is chosen here.</summary>
    [SupplyParameterFromQuery(Name = "package")] public string? InitialPackage { get; set; }

    private sealed record BuildChoice(string Text, string Value);
    private readonly FormErrors _errors = new FormErrors().Fields("name", "package", "project", "environment", "model_version", "entry", "build_tag", "replicas", "port", "resource_profile", "env", "health.start_period", "health.interval", "health.timeout", "health.retries");
    private List<string> _projects = [], _versions = [], _profiles = [];
    private List<BuildChoice> _builds = [];
    private string? _project, _version;
    private string _environment = "", _entry = "predict.py", _buildTag = "", _name = ReadableNames.Next(), _env = "", _profile = ResourceProfiles.Deploy;
    private int _replicas = 1, _port = 8080, _healthStart, _healthInterval, _healthTimeout, _healthRetries;
    private bool _loaded, _deploying;
    private ModelPackage? _package;

    protected override async Task OnInitializedAsync()
    {
        _environment = Versions.EntryEnvironment;
        // The portal-wide health check settings are the starting point; the readiness probe runs every second when they are off.
        var hc = Config.ContainerManager.Healthcheck;
        (_healthStart, _healthInterval, _healthTimeout, _healthRetries) = (hc.StartPeriod, hc.Enabled ? hc.Interval : 1, hc.Timeout, hc.Retries);
        _profiles = Profiles.Names.Order().ToList();
        if (InitialPackage is { Length: > 0 } packageName)
        {
            try
            {
                _package = await Packages.GetAsync(packageName, Aborted);
                _port = PackageContext.Port;
                _loaded = true;
                return;
            }
            catch (NotFoundException e) { _errors.Set(new ValidationFailedException("package", e.Message)); }
        }
        var all = (await Projects.ListAsync(new PageRequest(Take: PageRequest.MaxTake), Aborted)).Items;
        _projects = all.Select(p => p.Name).ToList();
        // Coming from a version's page: the first project that uses its model.
        var model = InitialVersion?.Split('/')[0];
        _project = all.FirstOrDefault(p => p.Models.Any(m => m.Name == model))?.Name ?? (_projects.Count == 1 ? _projects[0] : null);
        await LoadChoicesAsync();
        if (InitialVersion is not null && _versions.Contains(InitialVersion))
        {
            _version = InitialVersion;
            OnVersionChosen();
        }
        _loaded = true;
    }

    private async Task LoadChoicesAsync()
    {
        (_versions, _builds, _version, _buildTag) = ([], [new BuildChoice($"Notebook base image ({ProjectImages.NotebookBase})", "")], null, "");
        if (_project is null) return;
        var project = await Projects.GetAsync(_project, Aborted);
        _versionBuilds = (await Versions.ListForModelsAsync(project.Models.Select(m => m.Name).ToList(), 200, Aborted))
            .ToDictionary(v => $"{v.Model!.Name}/{v.Name}", v => v.BuildVersionId);
        _versions = [.. _versionBuilds.Keys];
        // Without a home directory the code lives only in the project's builds, so the bare base image is no choice.
        _codeFromImage = project.HomeDir is null;
        if (_codeFromImage) _builds.Clear();
        var builds = await Builder.ListVersionsAsync(project.Id, Aborted);
        _buildTags = builds.ToDictionary(b => b.Id, b => b.Tag);
        _builds.AddRange(builds.Select(b => new BuildChoice($"{b.Tag} · {b.Image}", b.Tag)));
        if (_codeFromImage && _builds.Count > 0) _buildTag = _builds[0].Value;
    }

    /// <summary>A version trained in one of the project's builds is served by that build's image unless the user picks another.</summary>
    private void OnVersionChosen()
    {
        if (_version is not null && _versionBuilds.GetValueOrDefault(_version) is { } buildId && _buildTags.TryGetValue(buildId, out var tag))
            _buildTag = tag;
    }

    private Dictionary<string, long?> _versionBuilds = [];
    private Dictionary<long, string> _buildTags = [];

    private bool _codeFromImage;

    private async Task DeployAsync()
    {
        _errors.Clear();
        if (_package is null && (_project is null || _version is null))
        {
            _errors.Set(new ValidationFailedException(_project is null ? "project" : "model_version", _project is null ? "Choose the project whose code serves the model." : "Choose the version to serve."));
            return;
        }
        var env = new Dictionary<string, string>();
        foreach (var line in _env.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = line.IndexOf('=');
            if (eq <= 0) { _errors.Set(new ValidationFailedException("env", $"'{line}' is not NAME=value.")); return; }
            env[line[..eq].Trim()] = line[(eq + 1)..];
        }
        _deploying = true;
        try
        {
            var d = await Deployments.CreateAsync(new DeploymentInput
            {
                Name = _name, Project = _package is null ? _project! : "", ModelVersion = _package is null ? _version! : "", Entry = _package is null ? _entry : "",
                Package = _package?.Name, BuildTag = _package is null ? _buildTag : null, Environment = _environment,
                Replicas = _replicas, Port = _port, Env = env, ResourceProfile = _profile,
                Health = new HealthSettings(_healthStart, _healthInterval, _healthTimeout, _healthRetries),
            }, Aborted);
            Notifications.Notify(Severity.Success, "Deployment started", d.Name);
            Nav.NavigateTo(DeploymentLinks.Page(d.Name));
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _deploying = false; }
    }
}
