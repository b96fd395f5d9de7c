using MudBlazor;
using Microsoft.AspNetCore.Components;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Services;
using Portal.Web.Auth;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Ide;
using Portal.Web.Features.Models;

namespace Portal.Web.Features.Models;

/// <summary>The logic of <c>ModelFormPage.razor</c>.</summary>
public sealed partial class ModelFormPage
{

    [Parameter] public string? Name { get; set; }

    private bool IsNew => Name is null;
    private readonly FormErrors _errors = new FormErrors().Fields("name", "desc", "kind", "model_files*", "data_files*");
    private string _name = "", _desc = "";
    private string? _kind;
    private List<FileSpecRow> _modelFiles = [], _dataFiles = [];
    private bool _saving, _notFound, _loaded;

    protected override async Task OnParametersSetAsync()
    {
        _loaded = IsNew;
        if (IsNew) return;
        try
        {
            var m = await Models.GetAsync(Name!, Aborted);
            (_name, _desc, _kind) = (m.Name, m.Desc ?? "", m.Kind?.ToString().ToLowerInvariant());
            _modelFiles = m.ModelFiles.Select(FileSpecRow.From).ToList();
            _dataFiles = m.DataFiles.Select(FileSpecRow.From).ToList();
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
            var input = new ModelInput(_name, _desc, _modelFiles.Select(r => r.ToSpec()).ToList(), _dataFiles.Select(r => r.ToSpec()).ToList(), _kind);
            var saved = IsNew ? await Models.CreateAsync(input, Aborted) : await Models.UpdateAsync(Name!, input, Aborted);
            Notifications.Notify(Severity.Success, IsNew ? "Model created" : "Model saved", saved.Name);
            Nav.NavigateTo($"/models/{saved.Name}");
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _saving = false; }
    }
}
