using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Portal.Core.Entities;
using Portal.Core.Services;
using Portal.Core.Storage;
using Portal.Web.Auth;
using Portal.Web.Components.Shared;

namespace Portal.Web.Components.Shared;

/// <summary>The logic of <c>ArtifactUploader.razor</c>.</summary>
public sealed partial class ArtifactUploader
{

    [Parameter] public string InputId { get; set; } = "files-input";
    /// <summary>The specs chosen files are checked against (max_mb), e.g. a model's data_files or model_files.</summary>
    [Parameter] public IReadOnlyList<FileSpec> Specs { get; set; } = [];
    [Parameter] public EventCallback OnChosen { get; set; }

    public sealed record UploadResult(int Status, string Body);

    public List<PlannedFile> Chosen { get; private set; } = [];
    public bool Uploading { get; private set; }

    private ElementReference _input;
    private DotNetObjectReference<ArtifactUploader>? _self;
    private double _percent;
    private long _sent, _total;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            _self = DotNetObjectReference.Create(this);
            await JS.InvokeVoidAsync("portal.watchFiles", _input, _self);
        }
    }

    [JSInvokable]
    public async Task OnFilesChosen(List<PlannedFile> files)
    {
        Chosen = files;
        await OnChosen.InvokeAsync();
        StateHasChanged();
    }

    [JSInvokable]
    public void OnUploadProgress(long sent, long total)
    {
        (_sent, _total) = (sent, total);
        _percent = total == 0 ? 100 : Math.Round(100.0 * sent / total, 1);
        StateHasChanged();
    }

    /// <summary>What is wrong with a chosen file against its spec, shown before uploading.</summary>
    public string? Problem(PlannedFile f)
    {
        if (SafeFileName.Check(f.Name) is { } problem) return problem;
        var spec = Specs.FirstOrDefault(s => s.Name == f.Name);
        return UploadLimits.SpecBytes(spec) is { } max && f.Size > max ? $"larger than max_mb ({spec!.MaxMb} MB)" : null;
    }

    /// <summary>Sends the fields, then the chosen files, to <paramref name="url"/>; returns the HTTP status and body.</summary>
    public async Task<UploadResult> UploadAsync(string url, Dictionary<string, string> fields)
    {
        Uploading = true;
        (_percent, _sent, _total) = (0, 0, Chosen.Sum(f => f.Size));
        StateHasChanged();
        try { return await JS.InvokeAsync<UploadResult>("portal.upload", _input, url, fields, _self, Antiforgery.GetAntiforgeryToken()?.Value); }
        finally
        {
            Uploading = false;
            StateHasChanged();
        }
    }

    private async Task CancelAsync() => await JS.InvokeVoidAsync("portal.cancelUpload");

    public async ValueTask DisposeAsync()
    {
        if (Uploading)
        {
            try { await JS.InvokeVoidAsync("portal.cancelUpload"); }
            catch (JSDisconnectedException) { }
        }
        _self?.Dispose();
    }
}
