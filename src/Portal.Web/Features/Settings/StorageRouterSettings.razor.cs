using MudBlazor;
using Microsoft.AspNetCore.Components;
using Portal.Core.Configuration;
using Portal.Core.Errors;
using Portal.Core.Persistence;
using Portal.Core.Settings;
using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Settings;

/// <summary>The logic of <c>StorageRouterSettings.razor</c>.</summary>
public sealed partial class StorageRouterSettings
{

    [Parameter, EditorRequired] public SettingsView View { get; set; } = default!;
    [Parameter] public EventCallback Changed { get; set; }

    private readonly FormErrors _errors = new();
    private SettingsView? _shownView;
    private PortalConfig _edit = new();
    private bool _busy;
    private bool _testingStore;
    private StoreReport? _storeReport;
    private bool _testingFiles;
    private StoreReport? _filesReport;

    protected override void OnParametersSet()
    {
        // The tabs re-render their content on their own events: keep the form's edits unless a new view came in.
        if (ReferenceEquals(View, _shownView)) return;
        _shownView = View;
        _edit = SettingsSections.CopyAll(View.Saved);
    }

    private async Task TestStoreAsync()
    {
        _testingStore = true;
        try { _storeReport = await StoreProbe.ProbeAsync(Aborted); }
        finally { _testingStore = false; }
    }

    private async Task TestFilesAsync()
    {
        _errors.Clear();
        _testingFiles = true;
        try { _filesReport = await FilesProbe.ProbeAsync(Cleaned(_edit.FileStore), Aborted); }
        catch (PortalException e) { _errors.Set(e); }
        finally { _testingFiles = false; }
    }

    /// <summary>The form's file store with blank fields as absent (portal.yaml's null), not as empty text.</summary>
    private static FileStoreConfig Cleaned(FileStoreConfig edited)
    {
        var files = edited.WithoutSecret();
        files.Path = Blank(files.Path);
        var s3 = files.S3;
        (s3.Endpoint, s3.Bucket, s3.Prefix, s3.AccessKey, s3.Credential) = (Blank(s3.Endpoint), Blank(s3.Bucket), Blank(s3.Prefix), Blank(s3.AccessKey), Blank(s3.Credential));
        return files;

        static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    private async Task SaveAsync()
    {
        _errors.Clear();
        _busy = true;
        try
        {
            var candidate = (await Settings.GetAsync(Aborted)).Saved;
            candidate.FileStore = Cleaned(_edit.FileStore);
            candidate.Router = _edit.Router;
            await SettingsErrors.SaveAllAsync(
                () => Settings.SaveAsync(SettingsSections.FileStore, candidate, Aborted),
                () => Settings.SaveAsync(SettingsSections.Router, candidate, Aborted));
            Notifications.Notify(Severity.Success, "Saved", "File store and router settings are saved.");
            await Changed.InvokeAsync();
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _busy = false; }
    }
}
