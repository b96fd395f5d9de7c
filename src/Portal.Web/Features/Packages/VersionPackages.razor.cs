using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Notifications;
using Portal.Core.Packages;
using Portal.Core.Security;
using Portal.Web.Auth;
using Portal.Core.Stores;
using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Packages;

/// <summary>The logic of <c>VersionPackages.razor</c>: lists the version's packages, refreshing while one is being made.</summary>
public sealed partial class VersionPackages
{
    [Parameter, EditorRequired] public ModelVersion ModelVersion { get; set; } = null!;
    [Inject] private ISnackbar Notifications { get; set; } = null!;
    [Inject] private IDialogService Dialogs { get; set; } = null!;
    [Inject] private ChangeFeed<ModelPackage> Saved { get; set; } = null!;

    private string Model => ModelVersion.Model!.Name;
    private string Version => ModelVersion.Name;

    private readonly FormErrors _errors = new FormErrors().Fields("kind", "project", "entry", "build_tag", "name", "model_version", "registry", "credential", "git_ref", "code_from", "git_credential");
    private IReadOnlyList<ModelPackage> _packages = [];
    private List<string> _projects = [];
    private bool _open, _busy;
    private IDisposable? _saved;
    private string _kind = "rest", _entry = "predict.py";
    private string? _project, _buildTag, _name, _shown, _registry, _credential, _gitRef, _gitCredential;
    private List<string> _credentials = [], _gitCredentials = [];

    protected override async Task OnParametersSetAsync()
    {
        var id = ModelVersion.Id;
        _saved?.Dispose();
        // The packaging runs publish each change; the list is read again, so a package made or removed elsewhere shows too.
        _saved = Saved.Subscribe(p => p.ModelVersionId == id, _ => InvokeAsync(async () =>
        {
            await LoadAsync();
            StateHasChanged();
        }));
        await LoadAsync();
    }

    private async Task LoadAsync() => _packages = (await Packages.ListAsync(new PageRequest(Take: 50), ModelVersion, Aborted)).Items;

    private async Task RemoveAsync(ModelPackage package)
    {
        if (await Dialogs.ConfirmAndDeleteAsync(Notifications, $"the package '{package.Name}'",
                () => Task.FromResult<IEnumerable<string>>([$"its record and log (the image {package.Image} stays on the engine and in any registry)"]),
                () => Packages.DeleteAsync(package.Name, Aborted)))
        {
            if (_shown == package.Name) _shown = null;
            await LoadAsync();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _saved?.Dispose();
        base.Dispose(disposing);
    }

    private async Task OpenAsync()
    {
        _projects = (await Projects.ListAsync(new PageRequest(Take: PageRequest.MaxTake), Aborted)).Items
            .Where(p => p.Models.Any(m => m.Name == Model)).Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        _project ??= _projects.Count > 0 ? _projects[0] : null;
        var mine = await Vault.ListAsync(await CurrentUser.ActorAsync(), new PageRequest(Take: PageRequest.MaxTake), Aborted);
        _credentials = mine.Items.Where(c => c.Kind is CredentialKind.Docker or CredentialKind.Basic).Select(c => c.Name).ToList();
        _gitCredentials = mine.Items.Where(c => c.Kind is CredentialKind.Git or CredentialKind.Basic).Select(c => c.Name).ToList();
        _open = true;
    }

    private async Task PackageAsync()
    {
        _errors.Clear();
        _busy = true;
        try
        {
            var package = await Packages.StartAsync(new PackageRequest(_name, $"{Model}/{Version}", _project ?? "", _entry, _kind, _buildTag,
                _registry, _credential, GitRef: _gitRef, GitCredential: string.IsNullOrWhiteSpace(_gitRef) ? null : _gitCredential), Aborted);
            Notifications.Notify(Severity.Info, "Packaging", $"{package.Name}: building {package.Image}.");
            (_open, _name, _shown) = (false, null, package.Name);
            await LoadAsync();
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _busy = false; }
    }
}
