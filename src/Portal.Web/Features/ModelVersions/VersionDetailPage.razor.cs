using MudBlazor;
using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Web.Auth;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Ide;
using Portal.Web.Features.ModelVersions;

namespace Portal.Web.Features.ModelVersions;

/// <summary>The logic of <c>VersionDetailPage.razor</c>.</summary>
public sealed partial class VersionDetailPage
{

    [Parameter] public string Model { get; set; } = "";
    [Parameter] public string Name { get; set; } = "";

    private readonly FormErrors _errors = new FormErrors().Fields("environment", "comment");
    private ModelVersion? _version;
    private IReadOnlyList<string> _environments = [];
    private bool _notFound, _promoting, _busy;
    private string _comment = "";

    private string? NextEnvironment => Versions.Environments.FirstOrDefault(e => !_environments.Contains(e));

    protected override async Task OnParametersSetAsync()
    {
        try
        {
            _version = await Versions.GetAsync(Model, Name, Aborted);
            _environments = Versions.EnvironmentsOf(_version);
        }
        catch (NotFoundException) { _notFound = true; }
    }

    private async Task PromoteAsync()
    {
        if (NextEnvironment is not { } target) return;
        _errors.Clear();
        _busy = true;
        try
        {
            _version = await Versions.PromoteAsync(Model, Name, target, _comment, Aborted);
            _environments = Versions.EnvironmentsOf(_version);
            Notifications.Notify(Severity.Success, "Promoted", $"{Model}/{Name} is in {target}.");
            (_promoting, _comment) = (false, "");
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _busy = false; }
    }

    private async Task DeleteAsync()
    {
        if (!await Access.AllowWorkAsync("delete a model version", $"model version {Model}/{Name}")) return;
        if (await Dialogs.ConfirmAndDeleteAsync(Notifications, $"version {Name} of '{Model}'",
                () => Task.FromResult<IEnumerable<string>>([$"its {_version!.Files.Count} file(s)"]),
                () => Versions.DeleteAsync(Model, Name, Aborted)))
            Nav.NavigateTo(VersionLinks.List(Model));
    }
}
