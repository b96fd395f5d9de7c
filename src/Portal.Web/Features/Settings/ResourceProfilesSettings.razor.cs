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

/// <summary>The logic of <c>ResourceProfilesSettings.razor</c>.</summary>
public sealed partial class ResourceProfilesSettings
{

    [Parameter, EditorRequired] public SettingsView View { get; set; } = default!;
    [Parameter] public EventCallback Changed { get; set; }

    private const string Prefix = "container_manager.resource_profiles";

    private sealed class Row
    {
        public string Name { get; set; } = "";
        public double? RequestCpu { get; set; }
        public double? LimitCpu { get; set; }
        public int? RequestMemory { get; set; }
        public int? LimitMemory { get; set; }
        public bool Gpu { get; set; }
        public string? ServiceType { get; set; }
        public bool AutoScale { get; set; }
        public int? MinReplicas { get; set; }
        public int? MaxReplicas { get; set; }
        public int? TargetCpu { get; set; }
    }

    private readonly FormErrors _errors = new();
    private SettingsView? _shownView;
    private List<Row> _rows = [];
    private HealthcheckConfig _health = new();
    private bool _busy;

    protected override void OnParametersSet()
    {
        // The tabs re-render their content on their own events: keep the form's edits unless a new view came in.
        if (ReferenceEquals(View, _shownView)) return;
        _shownView = View;
        var copy = SettingsSections.CopyAll(View.Saved).ContainerManager;
        _health = copy.Healthcheck;
        _rows = copy.ResourceProfiles.OrderBy(p => p.Key).Select(p => new Row
        {
            Name = p.Key, RequestCpu = p.Value.Requests?.Cpu, LimitCpu = p.Value.Limits?.Cpu, RequestMemory = p.Value.Requests?.Memory, LimitMemory = p.Value.Limits?.Memory,
            Gpu = p.Value.EnableGpu, ServiceType = p.Value.ServiceType, AutoScale = p.Value.AutoScale,
            MinReplicas = p.Value.MinReplicas, MaxReplicas = p.Value.MaxReplicas, TargetCpu = p.Value.TargetCpuUtilizationPercentage,
        }).ToList();
    }

    private string[] Shown() => [.. _rows.Select(r => $"{Prefix}.{r.Name}*"), "profiles", "container_manager.healthcheck*"];

    private async Task RemoveAsync(int index)
    {
        var name = _rows[index].Name;
        if (!string.IsNullOrWhiteSpace(name) && await Dialogs.ConfirmAsync($"Remove the profile '{name}' from the form? Work already running keeps its resources; new work naming it is refused once you save.",
                "Remove a profile", "Remove", "Keep") != true) return;
        _rows.RemoveAt(index);
    }

    private async Task SaveAsync()
    {
        _errors.Clear();
        var names = _rows.Select(r => r.Name.Trim()).ToList();
        var twice = names.Where(n => n.Length > 0).GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (names.Any(n => n.Length == 0) || twice.Count > 0)
        {
            _errors.Set(new ValidationFailedException("profiles", names.Any(n => n.Length == 0)
                ? "Every profile needs a name."
                : $"Profile names must differ: {string.Join(", ", twice)} is listed twice."));
            return;
        }
        _busy = true;
        try
        {
            var candidate = (await Settings.GetAsync(Aborted)).Saved;
            candidate.ContainerManager.Healthcheck = _health;
            candidate.ContainerManager.ResourceProfiles = _rows.ToDictionary(r => r.Name.Trim(), r => new ResourceProfile
            {
                Requests = r.RequestCpu is null && r.RequestMemory is null ? null : new ResourceAmounts { Cpu = r.RequestCpu, Memory = r.RequestMemory },
                Limits = r.LimitCpu is null && r.LimitMemory is null ? null : new ResourceAmounts { Cpu = r.LimitCpu, Memory = r.LimitMemory },
                EnableGpu = r.Gpu, ServiceType = r.ServiceType, AutoScale = r.AutoScale,
                MinReplicas = r.MinReplicas, MaxReplicas = r.MaxReplicas, TargetCpuUtilizationPercentage = r.TargetCpu,
            });
            await Settings.SaveAsync(SettingsSections.ContainerManager, candidate, Aborted);
            Notifications.Notify(Severity.Success, "Saved", "New work uses these profiles and health checks.");
            await Changed.InvokeAsync();
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _busy = false; }
    }
}
