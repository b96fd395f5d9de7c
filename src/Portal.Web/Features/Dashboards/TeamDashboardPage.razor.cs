using System.Globalization;
using Microsoft.AspNetCore.Components;
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

    private sealed record DayRow(string Day, int Finished, int Failed, int Cancelled, int Running, int Waiting);
    private sealed record DurationRow(string Percentile, double RunSeconds, double WaitSeconds);

    private readonly FormErrors _errors = new();
    private DateTime? _from = DateTime.UtcNow.Date.AddDays(-(TeamDashboardService.DefaultDays - 1)), _to = DateTime.UtcNow.Date;
    private string? _project, _model, _metric;
    private bool _higher = true, _loading;
    private IReadOnlyList<string> _projects = [];
    private List<string> _models = [];
    private TeamDashboard? _board;
    private MetricSeries? _series;
    private List<DayRow> _days = [];
    private List<DurationRow> _durations = [];

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
            _days = b.TrainingsPerDay.Select(d => new DayRow(d.Day.ToString("MM-dd", CultureInfo.InvariantCulture), d.Finished, d.Failed, d.Cancelled, d.Running, d.Waiting)).ToList();
            _durations = [.. new[] { ("p50", b.Duration?.P50, b.QueueWait?.P50), ("p90", b.Duration?.P90, b.QueueWait?.P90), ("p99", b.Duration?.P99, b.QueueWait?.P99) }
                .Select(x => new DurationRow(x.Item1, Math.Round(x.Item2 ?? 0, 1), Math.Round(x.Item3 ?? 0, 1)))];
            _board = b;
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _loading = false; }
    }

    private async Task LoadMetricAsync(bool resetMetric = false)
    {
        if (_model is null) { _series = null; return; }
        try
        {
            _series = await Dashboards.MetricAsync(_model, resetMetric ? null : _metric, resetMetric ? null : _higher, Aborted);
            (_metric, _higher) = (_series.Metric, _series.HigherIsBetter);
        }
        catch (PortalException e) { _errors.Set(e); }
    }

    private static string F(double? value) => value is { } v ? v.ToString("0.##", CultureInfo.InvariantCulture) : "–";
}
