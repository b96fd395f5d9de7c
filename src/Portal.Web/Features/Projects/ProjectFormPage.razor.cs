using MudBlazor;
using Microsoft.AspNetCore.Components;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Services;
using Portal.Core.Stores;
using Portal.Web.Auth;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Ide;
using Portal.Web.Features.Projects;

namespace Portal.Web.Features.Projects;

/// <summary>The logic of <c>ProjectFormPage.razor</c>.</summary>
public sealed partial class ProjectFormPage
{

    [Parameter] public string? Name { get; set; }

    private bool IsNew => Name is null;
    private readonly FormErrors _errors = new FormErrors().Fields("name", "desc", "home_dir", "git_repo", "docker_repo", "models");
    private string _name = "", _desc = "", _homeDir = "", _gitRepo = "", _dockerRepo = "";
    private IReadOnlyCollection<string> _models = [];
    private List<string> _allModels = [];
    private bool _saving, _notFound, _loaded;

    protected override async Task OnParametersSetAsync()
    {
        _allModels = (await Models.ListAsync(new PageRequest(Take: PageRequest.MaxTake), Aborted)).Items.Select(m => m.Name).ToList();
        _loaded = IsNew;
        if (IsNew) return;
        try
        {
            var p = await Projects.GetAsync(Name!, Aborted);
            (_name, _desc, _homeDir, _gitRepo, _dockerRepo) = (p.Name, p.Desc ?? "", p.HomeDir ?? "", p.GitRepo ?? "", p.DockerRepo ?? "");
            _models = p.Models.Select(m => m.Name).ToList();
        }
        catch (NotFoundException) { _notFound = true; }
        _loaded = true;
    }

    private async Task SaveAsync()
    {
        _saving = true;
        _errors.Clear();
        try
        {
            var input = new ProjectInput(_name, _desc, _homeDir, _gitRepo, _dockerRepo, _models.ToList());
            var saved = IsNew ? await Projects.CreateAsync(input, Aborted) : await Projects.UpdateAsync(Name!, input, Aborted);
            Notifications.Notify(Severity.Success, IsNew ? "Project created" : "Project saved", saved.Name);
            Nav.NavigateTo($"/projects/{saved.Name}");
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _saving = false; }
    }
}
