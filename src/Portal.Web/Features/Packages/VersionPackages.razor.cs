using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Packages;
using Portal.Core.Security;
using Portal.Web.Auth;
using Portal.Core.Stores;
using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Packages;

/// <summary>The logic of <c>VersionPackages.razor</c>: lists the version's packages, refreshing while one is being made.</summary>
public sealed partial class VersionPackages
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(2);

    [Parameter, EditorRequired] public ModelVersion ModelVersion { get; set; } = null!;
    [Inject] private ISnackbar Notifications { get; set; } = null!;

    private string Model => ModelVersion.Model!.Name;
    private string Version => ModelVersion.Name;

    private readonly FormErrors _errors = new FormErrors().Fields("kind", "project", "entry", "build_tag", "name", "model_version", "registry", "credential");
    private IReadOnlyList<ModelPackage> _packages = [];
    private List<string> _projects = [];
    private bool _open, _busy, _watching;
    private string _kind = "rest", _entry = "predict.py";
    private string? _project, _buildTag, _name, _shown, _registry, _credential;
    private List<string> _credentials = [];

    protected override Task OnParametersSetAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        _packages = (await Packages.ListAsync(new PageRequest(Take: 50), ModelVersion, Aborted)).Items;
        if (!_watching && _packages.Any(p => p.Task.State is TaskState.Waiting or TaskState.Running)) _ = WatchAsync();
    }

    /// <summary>Refreshes the list every <see cref="Refresh"/> until nothing is being made.</summary>
    private async Task WatchAsync()
    {
        _watching = true;
        try
        {
            while (!Aborted.IsCancellationRequested && _packages.Any(p => p.Task.State is TaskState.Waiting or TaskState.Running))
            {
                await Task.Delay(Refresh, Aborted);
                _packages = (await Packages.ListAsync(new PageRequest(Take: 50), ModelVersion, Aborted)).Items;
                await InvokeAsync(StateHasChanged);
            }
        }
        catch (OperationCanceledException) { }
        finally { _watching = false; }
    }

    private async Task OpenAsync()
    {
        _projects = (await Projects.ListAsync(new PageRequest(Take: PageRequest.MaxTake), Aborted)).Items
            .Where(p => p.Models.Any(m => m.Name == Model)).Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        _project ??= _projects.Count > 0 ? _projects[0] : null;
        var mine = await Vault.ListAsync(await CurrentUser.ActorAsync(), new PageRequest(Take: PageRequest.MaxTake), Aborted);
        _credentials = mine.Items.Where(c => c.Kind is CredentialKind.Docker or CredentialKind.Basic).Select(c => c.Name).ToList();
        _open = true;
    }

    private async Task PackageAsync()
    {
        _errors.Clear();
        _busy = true;
        try
        {
            var package = await Packages.StartAsync(new PackageRequest(_name, $"{Model}/{Version}", _project ?? "", _entry, _kind, _buildTag,
                _registry, _credential), Aborted);
            Notifications.Notify(Severity.Info, "Packaging", $"{package.Name}: building {package.Image}.");
            (_open, _name, _shown) = (false, null, package.Name);
            await LoadAsync();
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _busy = false; }
    }
}
