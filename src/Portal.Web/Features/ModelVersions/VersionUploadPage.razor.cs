using MudBlazor;
using Microsoft.AspNetCore.Components;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Stores;
using Portal.Web.Auth;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Ide;
using Portal.Web.Features.ModelVersions;

namespace Portal.Web.Features.ModelVersions;

/// <summary>The logic of <c>VersionUploadPage.razor</c>.</summary>
public sealed partial class VersionUploadPage
{

    [SupplyParameterFromQuery(Name = "model")] public string? InitialModel { get; set; }

    private readonly FormErrors _errors = new FormErrors().Fields("model", "name", "files", "dataset", "pretrained", "details");
    private List<Model> _models = [];
    private List<string> _datasets = [], _pretrainedChoices = [];
    private bool _loaded, _compress;
    private string? _model, _dataset, _pretrained;
    private string _name = "", _details = "";
    private ArtifactUploader? _uploader;

    private Model? SelectedModel => _models.Find(m => m.Name == _model);

    protected override async Task OnInitializedAsync()
    {
        _models = (await Models.ListAsync(new PageRequest(Take: PageRequest.MaxTake), Aborted)).Items.ToList();
        _model = _models.Any(m => m.Name == InitialModel) ? InitialModel : _models.Count == 1 ? _models[0].Name : null;
        await OnModelChangedAsync();
        _loaded = true;
    }

    private async Task OnModelChangedAsync()
    {
        _errors.Clear();
        (_dataset, _pretrained) = (null, null);
        if (_model is null) { (_datasets, _pretrainedChoices) = ([], []); return; }
        _datasets = (await Datasets.ListAsync(_model, new PageRequest(Take: PageRequest.MaxTake), Aborted)).Items.Select(d => d.Name).ToList();
        _pretrainedChoices = (await Versions.ListForModelsAsync(_models.Select(m => m.Name).ToList(), 200, Aborted)).Select(v => $"{v.Model!.Name}/{v.Name}").ToList();
    }

    private async Task UploadAsync()
    {
        _errors.Clear();
        if (_model is null || _uploader is null)
        {
            _errors.Set(new ValidationFailedException("model", "Choose the model this version is of."));
            return;
        }
        try
        {
            // Checked here first so a missing required file or a too-large one is reported before any byte is sent.
            await Versions.CheckPlanAsync(_model, _uploader.Chosen, Aborted);
        }
        catch (PortalException e)
        {
            _errors.Set(e);
            return;
        }
        var fields = new Dictionary<string, string>
        {
            ["name"] = _name.Trim(), ["compress"] = _compress ? "true" : "false", ["details"] = _details,
            ["dataset"] = _dataset ?? "", ["pretrained"] = _pretrained ?? "",
        };
        var result = await _uploader.UploadAsync(VersionLinks.Api(_model), fields);
        if (result.Status == 201)
        {
            var name = System.Text.Json.JsonDocument.Parse(result.Body).RootElement.GetProperty("name").GetString()!;
            Notifications.Notify(Severity.Success, "Version uploaded", $"{_model}/{name}");
            Nav.NavigateTo(VersionLinks.Page(_model, name));
            return;
        }
        _errors.SetFromProblem(result.Status, result.Body);
    }
}
