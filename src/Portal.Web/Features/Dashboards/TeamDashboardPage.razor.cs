using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Core.Dashboards;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Stores;
using Portal.Web.Auth;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Ide;

namespace Portal.Web.Features.Dashboards;

/// <summary>The logic of <c>TeamDashboardPage.razor</c>.</summary>
public sealed partial class TeamDashboardPage
{

    private static readonly (string State, string Colour)[] States =
        [("Finished", "#43a047"), ("Failed", "#e53935"), ("Cancelled", "#9e9e9e"), ("Running", "#1e88e5"), ("Waiting", "#fbc02d")];


    private readonly FormErrors _errors = new();
    private DateTime? _from = DateTime.UtcNow.Date.AddDays(-(TeamDashboardService.DefaultDays - 1)), _to = DateTime.UtcNow.Date;
    private string? _project, _model, _metric;
    private bool _higher = true, _loading;
    private IReadOnlyList<string> _projects = [];
    private List<string> _models = [];
    private TeamDashboard? _board;
    private MetricSeries? _series;
    private ChartView _perDay = Empty, _failing = Empty, _durationChart = Empty, _resources = Empty, _deployments = Empty;
    private ChartView? _metricChart;
    private ChartView _accuracyChart = Empty;
    private List<(string Deployment, string Kind, Portal.Core.Deployments.AccuracyScore Score)> _accuracy = [];

    private static readonly ChartView Empty = ChartView.Bars(Array.Empty<int>(), _ => "", stacked: false);

    protected override async Task OnInitializedAsync()
    {
        _projects = (await Projects.ListAsync(new PageRequest(0, PageRequest.MaxTake, SortBy: "name"), Aborted)).Items.Select(p => p.Name).ToList();
        _models = (await Models.ListAsync(new PageRequest(0, PageRequest.MaxTake, SortBy: "name"), Aborted)).Items.Select(m => m.Name).ToList();
        _model = _models.Count > 0 ? _models[0] : null;
        await LoadAsync();
        await LoadMetricAsync(resetMetric: true);
    }

    private async Task LoadAsync()
    {
        _loading = true;
        _errors.Clear();
        try
        {
            var from = _from is { } f ? DateTime.SpecifyKind(f.Date, DateTimeKind.Utc) : (DateTime?)null;
            var to = _to is { } t ? DateTime.SpecifyKind(t.Date.AddDays(1), DateTimeKind.Utc) : (DateTime?)null;
            var b = await Dashboards.GetAsync(from, to, _project, Aborted);
            _perDay = ChartView.Bars(b.TrainingsPerDay, d => d.Day.ToString("MM-dd", CultureInfo.InvariantCulture), stacked: true,
                (States[0].State.ToLowerInvariant(), States[0].Colour, d => d.Finished), (States[1].State.ToLowerInvariant(), States[1].Colour, d => d.Failed),
                (States[2].State.ToLowerInvariant(), States[2].Colour, d => d.Cancelled), (States[3].State.ToLowerInvariant(), States[3].Colour, d => d.Running),
                (States[4].State.ToLowerInvariant(), States[4].Colour, d => d.Waiting));
            _failing = ChartView.Bars(b.TopFailing, f => f.Project, stacked: false, ("failed", "#e53935", f => f.Failed));
            var percentiles = new[] { ("p50", b.Duration?.P50, b.QueueWait?.P50), ("p90", b.Duration?.P90, b.QueueWait?.P90), ("p99", b.Duration?.P99, b.QueueWait?.P99) };
            _durationChart = ChartView.Bars(percentiles, p => p.Item1, stacked: false,
                ("run time (s)", "#1e88e5", p => Math.Round(p.Item2 ?? 0, 1)), ("queue wait (s)", "#fb8c00", p => Math.Round(p.Item3 ?? 0, 1)));
            _resources = ChartView.Bars(b.Resources, r => r.Profile, stacked: false,
                ("cpu core-hours (trainings and IDE)", "#5e35b1", r => r.CpuCoreHours), ("memory GB-hours (trainings and IDE)", "#26a69a", r => r.MemoryGbHours));
            _deployments = ChartView.Bars(b.Deployments, d => d.Deployment, stacked: false, ("requests", "#43a047", d => d.Requests), ("errors", "#e53935", d => d.Errors));
            await LoadAccuracyAsync(b, from);
            _board = b;
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _loading = false; }
    }

    /// <summary>Each listed deployment's live score from the window's start until now (deployments of models with a kind and feedback).</summary>
    private async Task LoadAccuracyAsync(TeamDashboard b, DateTime? from)
    {
        var window = DateTime.UtcNow - (from ?? DateTime.UtcNow.AddDays(-TeamDashboardService.DefaultDays));
        var scores = new List<(string, string, Portal.Core.Deployments.AccuracyScore)>();
        foreach (var row in b.Deployments)
        {
            try
            {
                var d = await DeploymentRecords.GetAsync(row.Deployment, Aborted);
                var report = await Accuracy.ReportAsync(d, window, window, Aborted);
                if (report.Kind is { } kind && report.Overall.Labelled > 0) scores.Add((d.Name, kind.ToString().ToLowerInvariant(), report.Overall));
            }
            catch (NotFoundException) { }
        }
        _accuracy = scores;
        // Accuracy of classifiers as a percentage; regressors' errors have units of their own and stay in the table.
        var classifiers = scores.Where(s => s.Item3.Accuracy is not null).ToList();
        _accuracyChart = ChartView.Bars(classifiers, s => s.Item1, stacked: false, ("accuracy %", "#1e88e5", s => Math.Round(s.Item3.Accuracy!.Value * 100, 1)));
    }

    private async Task LoadMetricAsync(bool resetMetric = false)
    {
        if (_model is null) { _series = null; return; }
        try
        {
            _series = await Dashboards.MetricAsync(_model, resetMetric ? null : _metric, resetMetric ? null : _higher, Aborted);
            (_metric, _higher) = (_series.Metric, _series.HigherIsBetter);
            // The best version is named on the axis: the table view marks it too.
            _metricChart = ChartView.Line([.. _series.Points.Select(p => p.Version == _series.Best ? $"{p.Version} (best)" : p.Version)],
                _series.Metric ?? "", "#8e24aa", [.. _series.Points.Select(p => p.Value)]);
        }
        catch (PortalException e) { _errors.Set(e); }
    }

    private Task ChooseModelAsync(string? model)
    {
        _model = model;
        return LoadMetricAsync(resetMetric: true);
    }

    private Task ChooseMetricAsync(string? metric)
    {
        _metric = metric;
        return LoadMetricAsync();
    }

    private Task ChooseDirectionAsync(bool higher)
    {
        _higher = higher;
        return LoadMetricAsync();
    }

    private static string F(double? value) => value is { } v ? v.ToString("0.##", CultureInfo.InvariantCulture) : "–";
}
