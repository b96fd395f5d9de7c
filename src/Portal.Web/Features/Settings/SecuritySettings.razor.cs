using MudBlazor;
using Microsoft.AspNetCore.Components;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Security;
using Portal.Core.Settings;
using Portal.Web.Auth;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Ide;

namespace Portal.Web.Features.Settings;

/// <summary>The logic of <c>SecuritySettings.razor</c>.</summary>
public sealed partial class SecuritySettings
{

    [Parameter, EditorRequired] public SettingsView View { get; set; } = default!;
    [Parameter] public EventCallback Changed { get; set; }

    private readonly FormErrors _errors = new();
    private SettingsView? _shownView;
    private string _paths = "", _registries = "";
    private bool _busy;

    protected override void OnParametersSet()
    {
        if (ReferenceEquals(View, _shownView)) return;
        _shownView = View;
        _paths = string.Join('\n', View.Saved.Security.HostPaths);
        _registries = string.Join('\n', View.Saved.Security.PushRegistries);
    }

    private async Task SaveAsync()
    {
        _errors.Clear();
        _busy = true;
        try
        {
            var candidate = (await Settings.GetAsync(Aborted)).Saved;
            candidate.Security.HostPaths = [.. _paths.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            candidate.Security.PushRegistries = [.. _registries.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            await Settings.SaveAsync(SettingsSections.Security, candidate, Aborted);
            Notifications.Notify(Severity.Success, "Saved",
                candidate.Security.HostPaths.Count == 0 ? "No host folder is open to users." : $"Open to users: {string.Join(", ", candidate.Security.HostPaths)}.");
            await Changed.InvokeAsync();
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _busy = false; }
    }
}
