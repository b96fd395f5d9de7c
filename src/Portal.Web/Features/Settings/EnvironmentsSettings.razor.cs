using MudBlazor;
using Microsoft.AspNetCore.Components;
using Portal.Core.Errors;
using Portal.Core.Settings;
using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Settings;

/// <summary>The logic of <c>EnvironmentsSettings.razor</c>.</summary>
public sealed partial class EnvironmentsSettings
{

    [Parameter, EditorRequired] public SettingsView View { get; set; } = default!;
    [Parameter] public EventCallback Changed { get; set; }

    private readonly FormErrors _errors = new();
    private SettingsView? _shownView;
    private List<string> _names = [];
    private bool _busy;

    protected override void OnParametersSet()
    {
        // The tabs re-render their content on their own events: keep the form's edits unless a new view came in.
        if (ReferenceEquals(View, _shownView)) return;
        _shownView = View;
        _names = [.. View.Saved.Environments];
    }

    private void Move(int index, int by) => (_names[index], _names[index + by]) = (_names[index + by], _names[index]);

    private async Task SaveAsync()
    {
        _errors.Clear();
        _busy = true;
        try
        {
            var candidate = (await Settings.GetAsync(Aborted)).Saved;
            candidate.Environments = [.. _names];
            await Settings.SaveAsync(SettingsSections.Environments, candidate, Aborted);
            Notifications.Notify(Severity.Success, "Saved", $"Environments: {string.Join(" → ", candidate.Environments)}.");
            await Changed.InvokeAsync();
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _busy = false; }
    }
}
