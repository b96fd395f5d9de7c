using Microsoft.AspNetCore.Components;
using Portal.Core.Builds;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Stores;
using Portal.Web.Auth;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Builds;
using Portal.Web.Features.Ide;

namespace Portal.Web.Features.Builds;

/// <summary>The logic of <c>BuildFormPage.razor</c>.</summary>
public sealed partial class BuildFormPage
{

    [Parameter] public string Project { get; set; } = "";

    private readonly FormErrors _errors = new FormErrors().Fields("from", "tag", "git_ref", "dockerfile", "credential");
    private string? _credential;
    private List<string> _credentials = [];
    private Project? _project;
    private bool _notFound, _starting;
    private BuildSource _from;
    private string _tag = ProjectImages.DefaultTag, _dockerfile = "Dockerfile";
    private string? _gitRef, _unavailable;

    protected override async Task OnParametersSetAsync()
    {
        try
        {
            _project = await Projects.GetAsync(Project, Aborted);
            _unavailable = await Builder.UnavailableAsync(Aborted);
            _from = _project.HomeDir is not null ? BuildSource.Local : _project.GitRepo is not null ? BuildSource.Git : BuildSource.PreBuilt;
            var mine = await Vault.ListAsync(await CurrentUser.ActorAsync(), new PageRequest(Take: PageRequest.MaxTake), Aborted);
            _credentials = mine.Items.Where(c => c.Kind is CredentialKind.Git or CredentialKind.Docker or CredentialKind.Basic).Select(c => c.Name).ToList();
        }
        catch (NotFoundException) { _notFound = true; }
    }

    private async Task BuildAsync()
    {
        _errors.Clear();
        _starting = true;
        try
        {
            var run = await Builder.StartAsync(Project, new BuildRequest { From = _from, Tag = _tag, GitRef = _gitRef, Dockerfile = _dockerfile, Credential = _from == BuildSource.Local ? null : _credential }, Aborted);
            Nav.NavigateTo(BuildLinks.Run(Project, run.Id));
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _starting = false; }
    }
}
