using MudBlazor;
using Microsoft.AspNetCore.Components;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Ide;
using Portal.Core.Names;
using Portal.Core.Security;
using Portal.Core.Stores;
using Portal.Web.Auth;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Ide;

namespace Portal.Web.Features.Ide;

/// <summary>The logic of <c>IdePage.razor</c>.</summary>
public sealed partial class IdePage
{

    private readonly FormErrors _errors = new FormErrors().Fields("name", "image", "resource_profile", "datasets", "model_versions", "edit_project", "env");
    private IReadOnlyList<Portal.Core.Entities.IdeSession> _sessions = [];
    private sealed record ImageOption(string Value, string Label);
    private List<ImageOption> _images = [];
    private List<string> _profiles = [], _allDatasets = [];
    private IReadOnlyCollection<string> _datasets = [], _versions = [];
    private List<string> _allVersions = [], _projects = [];
    private string? _editProject;
    private string _env = "";
    private string _name = ReadableNames.Next(), _image = Portal.Core.Builds.ProjectImages.NotebookBase, _profile = ResourceProfiles.Ide;
    private bool _opening, _admin, _everyone;
    private IReadOnlyList<IdeImage> _catalog = [];
    private string _me = "";
    private IDisposable? _changes;

    protected override async Task OnInitializedAsync()
    {
        _me = await CurrentUser.NameAsync();
        _admin = await CurrentUser.HasAsync(Portal.Core.Security.Roles.Admin);
        _profiles = Profiles.Names.Order().ToList();
        _allDatasets = (await Datasets.ListAsync(null, new PageRequest(Take: PageRequest.MaxTake), Aborted)).Items.Select(d => $"{d.Model!.Name}/{d.Name}").ToList();
        _catalog = await Catalog.ListAsync(Aborted);
        _images = _catalog.Select(i => new ImageOption(i.Image, $"{i.Name}: {i.Image}{(i.Desc is null ? "" : $" ({i.Desc})")}")).ToList();
        _image = _images.FirstOrDefault()?.Value ?? _image;
        var projects = (await Projects.ListAsync(new PageRequest(Take: PageRequest.MaxTake), Aborted)).Items;
        foreach (var p in projects)
            _images.AddRange((await Builder.ListVersionsAsync(p.Id, Aborted)).Select(b => b.Image).OfType<string>().Select(i => new ImageOption(i, $"build of {p.Name}: {i}")));
        _projects = projects.Where(p => p.HomeDir is not null).Select(p => p.Name).ToList();
        _allVersions = (await Versions.ListAsync(null, new PageRequest(Take: 200), Aborted)).Items.Select(v => $"{v.Model!.Name}/{v.Name}").ToList();
        await LoadAsync();
        // Sessions start and stop on their own (the culler, other tabs): each change is pushed, then the list read again.
        _changes = Changes.Subscribe(_ => true, _ => InvokeAsync(async () => { await LoadAsync(); StateHasChanged(); }));
    }

    private async Task LoadAsync() => _sessions = await Ide.ListAsync(_everyone && _admin ? null : _me, Aborted);

    private async Task OpenAsync()
    {
        _errors.Clear();
        _opening = true;
        try
        {
            var env = new Dictionary<string, string>();
            foreach (var line in _env.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var eq = line.IndexOf('=');
                if (eq <= 0) { _errors.Set(new ValidationFailedException("env", $"'{line}' is not NAME=value.")); return; }
                env[line[..eq].Trim()] = line[(eq + 1)..];
            }
            var session = await Ide.StartAsync(_me, new IdeRequest(_name, _image, _profile, _datasets.ToList())
            {
                ModelVersions = _versions.ToList(), EditProject = _editProject, Env = env,
            }, Aborted);
            Nav.NavigateTo(IdeLinks.Page(session.Name));
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _opening = false; }
    }

    private async Task StopAsync(Portal.Core.Entities.IdeSession session)
    {
        try
        {
            if (session.User != _me && !await CurrentUser.HasAsync(Portal.Core.Security.Roles.Admin))
                throw new AccessDeniedException("Only admins may stop another user's session.");
            await Ide.StopAsync(session.User, session.Name, session.User == _me ? "Stopped by its user." : $"Stopped by the admin {_me}.", Aborted);
            await LoadAsync();
        }
        catch (PortalException e) { Notifications.Notify(Severity.Error, "Could not stop", e.Message); }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _changes?.Dispose();
        base.Dispose(disposing);
    }
}
