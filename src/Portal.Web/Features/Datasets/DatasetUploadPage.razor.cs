using MudBlazor;
using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Services;
using Portal.Core.Stores;
using Portal.Web.Auth;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Datasets;
using Portal.Web.Features.Ide;

namespace Portal.Web.Features.Datasets;

/// <summary>The logic of <c>DatasetUploadPage.razor</c>.</summary>
public sealed partial class DatasetUploadPage
{

    [SupplyParameterFromQuery(Name = "model")] public string? InitialModel { get; set; }

    private readonly FormErrors _errors = new FormErrors().Fields("model", "name", "files", "details");
    private List<Model> _models = [];
    private bool _loaded;
    private string? _model;
    private string _name = "", _details = "";
    private bool _compress;
    private ArtifactUploader? _uploader;

    private Model? SelectedModel => _models.Find(m => m.Name == _model);

    protected override async Task OnInitializedAsync()
    {
        _models = (await Models.ListAsync(new PageRequest(Take: PageRequest.MaxTake), Aborted)).Items.ToList();
        _model = _models.Any(m => m.Name == InitialModel) ? InitialModel : _models.Count == 1 ? _models[0].Name : null;
        _loaded = true;
    }

    private void OnModelChanged() => _errors.Clear();

    private async Task UploadAsync()
    {
        _errors.Clear();
        if (_model is null || _uploader is null)
        {
            _errors.Set(new ValidationFailedException("model", "Choose the model this dataset is for."));
            return;
        }
        var chosen = _uploader.Chosen;
        try
        {
            // Checked here first so a wrong name or a too-large file is reported before any byte is sent.
            await Datasets.CheckPlanAsync(_model, new DatasetDraft(_name, _compress, _details), chosen, Aborted);
        }
        catch (PortalException e)
        {
            _errors.Set(e);
            return;
        }

        var fields = new Dictionary<string, string> { ["name"] = _name.Trim(), ["compress"] = _compress ? "true" : "false", ["details"] = _details };
        var result = await _uploader.UploadAsync(DatasetLinks.Api(_model), fields);
        if (result.Status == 201)
        {
            Notifications.Notify(Severity.Success, "Dataset uploaded", $"{_name.Trim()} ({chosen.Count} {(chosen.Count == 1 ? "file" : "files")})");
            Nav.NavigateTo(DatasetLinks.Page(_model, _name.Trim()));
            return;
        }
        _errors.SetFromProblem(result.Status, result.Body);
    }
}
