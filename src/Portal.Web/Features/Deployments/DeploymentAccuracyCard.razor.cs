using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Core.Deployments;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Dashboards;

namespace Portal.Web.Features.Deployments;

/// <summary>
/// A deployment's live accuracy over the last day (hourly), per version, its last alert and the form for its threshold;
/// re-read every half minute while shown.
/// </summary>
public sealed partial class DeploymentAccuracyCard
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(24), Bucket = TimeSpan.FromHours(1), Every = TimeSpan.FromSeconds(30);

    [Parameter, EditorRequired] public Deployment Deployment { get; set; } = default!;
    /// <summary>Called with the deployment as saved after its alert changed.</summary>
    [Parameter] public EventCallback<Deployment> Changed { get; set; }

    [Inject] private LiveAccuracy Accuracy { get; set; } = default!;
    [Inject] private DeploymentService Deployments { get; set; } = default!;
    [Inject] private ISnackbar Notifications { get; set; } = default!;

    private readonly FormErrors _errors = new FormErrors().Fields("threshold", "window_minutes", "min_labelled", "retrain_notebook");
    private AccuracyReport? _report;
    private ChartView _chart = ChartView.Line([], "", "#1e88e5", []);
    private double? _threshold;
    private int _window = 60, _minLabelled = 20;
    private string? _retrain;
    private bool _saving;

    protected override async Task OnInitializedAsync()
    {
        if (Deployment.Alert is { } a) (_threshold, _window, _minLabelled, _retrain) = (a.Threshold, a.WindowMinutes, a.MinLabelled, a.RetrainNotebook);
        await LoadAsync();
        RefreshEvery(Every, LoadAsync);
    }

    private async Task LoadAsync()
    {
        var report = await Accuracy.ReportAsync(Deployment, Window, Bucket, Aborted);
        var classifier = report.Kind == ModelKind.Classification;
        // An hour without feedback has no score: drawn as the line's last value would mislead, so as zero is marked in the table.
        _chart = ChartView.Line([.. report.Series.Select(p => p.From.ToString("HH:mm", CultureInfo.InvariantCulture))],
            classifier ? "accuracy" : "RMSE", "#1e88e5", [.. report.Series.Select(p => (classifier ? p.Score.Accuracy : p.Score.Rmse) ?? 0)]);
        _report = report;
    }

    private string? LastAlert => Deployment.Details.TryGetValue(DeploymentService.AlertDetail, out var a) && a.ValueKind == JsonValueKind.Object
        ? $"Alert at {a.GetProperty("at").GetDateTime():yyyy-MM-dd HH:mm} UTC: {a.GetProperty("measure").GetString()} {a.GetProperty("value").GetDouble():0.###} "
          + $"over {a.GetProperty("labelled").GetInt32()} labelled requests crossed {a.GetProperty("threshold").GetDouble():0.###}"
          + (a.TryGetProperty("retraining", out var t) && t.ValueKind == JsonValueKind.String ? $"; retraining {t.GetString()} launched." : ".")
        : null;

    private static string Percent(double? v) => v is { } x ? (x * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %" : "—";

    private static string Number(double? v) => v?.ToString("0.###", CultureInfo.InvariantCulture) ?? "—";

    private Task SaveAlertAsync() => SetAsync(new AccuracyAlert(_threshold ?? 0, _window, _minLabelled, string.IsNullOrWhiteSpace(_retrain) ? null : _retrain.Trim()));

    private Task ClearAlertAsync() => SetAsync(null);

    private async Task SetAsync(AccuracyAlert? alert)
    {
        _saving = true;
        _errors.Clear();
        try
        {
            var saved = await Deployments.SetAlertAsync(Deployment.Name, alert, Aborted);
            Notifications.Notify(Severity.Success, alert is null ? "Alert turned off" : "Alert saved");
            await Changed.InvokeAsync(saved);
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _saving = false; }
    }

}
