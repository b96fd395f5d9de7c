using MudBlazor;
using Microsoft.AspNetCore.Components;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Settings;
using Portal.Web.Auth;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Ide;

namespace Portal.Web.Features.Settings;

/// <summary>The logic of <c>ContainerManagerSettings.razor</c>.</summary>
public sealed partial class ContainerManagerSettings
{

    [Parameter, EditorRequired] public SettingsView View { get; set; } = default!;
    [Parameter] public EventCallback Changed { get; set; }

    private static readonly string[] VolumeAccessModes = ["ReadWriteOnce", "ReadWriteMany", "ReadWriteOncePod"];
    private readonly FormErrors _errors = new();
    private SettingsView? _shownView;
    private PortalConfig _edit = new();
    private string? _nfsServer, _nfsPath;
    private bool _busy, _testing;
    private ConnectionReport? _report;

    protected override void OnParametersSet()
    {
        // The tabs re-render their content on their own events: keep the form's edits unless a new view came in.
        if (ReferenceEquals(View, _shownView)) return;
        _shownView = View;
        _edit = SettingsSections.CopyAll(View.Saved);
        (_nfsServer, _nfsPath) = (_edit.Kube.Nfs?.Server, _edit.Kube.Nfs?.Path);
    }

    private static string TypeHelp(string type) => type switch
    {
        "local" => "Host processes: the embedded default, one machine, no isolation.",
        "docker" => "Plain containers on one Docker engine.",
        "swarm" => "Services on a Docker Swarm: replicas, reservations and limits.",
        "kube" => "Kubernetes: Jobs, Pods and Deployments in a namespace, through a kubeconfig or the pod's service account.",
        _ => "",
    };

    /// <summary>The form's values on top of the saved settings, so other tabs' unsaved edits are not mixed in.</summary>
    private async Task<PortalConfig> CandidateAsync()
    {
        var candidate = (await Settings.GetAsync(Aborted)).Saved;
        var (cm, form) = (candidate.ContainerManager, _edit.ContainerManager);
        (cm.Type, cm.ApiTimeout, cm.PortalUrl, cm.LocalPython) = (form.Type, form.ApiTimeout, Blank(form.PortalUrl), Blank(form.LocalPython));
        candidate.Docker = _edit.Docker;
        candidate.Docker.TargetRegistry = Blank(candidate.Docker.TargetRegistry);
        candidate.Docker.RegistrySecret = Blank(candidate.Docker.RegistrySecret);
        candidate.Kube = _edit.Kube;
        candidate.Kube.Kubeconfig = Blank(candidate.Kube.Kubeconfig);
        candidate.Kube.Context = Blank(candidate.Kube.Context);
        candidate.Kube.RegistryCredential = Blank(candidate.Kube.RegistryCredential);
        candidate.Kube.Nfs = Blank(_nfsServer) is null && Blank(_nfsPath) is null ? null : new NfsConfig { Server = Blank(_nfsServer), Path = Blank(_nfsPath) };
        return candidate;
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private async Task SaveAsync()
    {
        _errors.Clear();
        _busy = true;
        try
        {
            var candidate = await CandidateAsync();
            await SettingsErrors.SaveAllAsync(
                () => Settings.SaveAsync(SettingsSections.ContainerManager, candidate, Aborted),
                () => Settings.SaveAsync(SettingsSections.Docker, candidate, Aborted),
                () => Settings.SaveAsync(SettingsSections.Kube, candidate, Aborted));
            Notifications.Notify(Severity.Success, "Saved", "Container manager settings are saved.");
            await Changed.InvokeAsync();
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _busy = false; }
    }

    private async Task TestAsync()
    {
        _errors.Clear();
        _report = null;
        _testing = true;
        try { _report = await Settings.TestConnectionAsync(await CandidateAsync(), Aborted); }
        catch (PortalException e) { _errors.Set(e); }
        finally { _testing = false; }
    }
}
