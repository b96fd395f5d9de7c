using System.Globalization;
using Microsoft.AspNetCore.Components;
using Portal.Core.Entities;
using Portal.Core.Notifications;
using Portal.Core.Trainings;
using Portal.Web.Features.Dashboards;

namespace Portal.Web.Features.Trainings;

/// <summary>
/// A chart per metric the training reports over steps (<c>portal_toolkit.log_metric</c>): what is stored when the page
/// opens, then each point as the supervisor publishes it, redrawn at most twice a second. Long series are thinned for the
/// chart (every point stays in its table view).
/// </summary>
public sealed partial class TrainingCurves
{
    /// <summary>The most points a chart draws; more are thinned evenly, keeping the last.</summary>
    public const int MaxDrawn = 200;
    private static readonly TimeSpan RedrawEvery = TimeSpan.FromMilliseconds(500);

    [Parameter, EditorRequired] public string Project { get; set; } = "";
    [Parameter, EditorRequired] public string Name { get; set; } = "";
    [Parameter, EditorRequired] public long TrainingId { get; set; }
    [Inject] private TrainingService Trainings { get; set; } = default!;
    [Inject] private ChangeFeed<MetricSteps> Changes { get; set; } = default!;

    /// <summary>Each metric's values by step (a step reported again takes its newest value).</summary>
    private readonly SortedDictionary<string, SortedDictionary<long, double>> _series = new(StringComparer.Ordinal);
    private List<(string Name, ChartView View)> _views = [];
    private IDisposable? _changes;
    private int _redrawPending;

    protected override async Task OnInitializedAsync()
    {
        // Subscribed first, so no point published while the stored ones load is lost (a point seen twice is the same point).
        _changes = Changes.Subscribe(c => c.TrainingId == TrainingId, changed => InvokeAsync(() => Add(changed.Points)));
        foreach (var (name, points) in await Trainings.SeriesAsync(Project, Name, Aborted)) Add(points, redraw: false);
        Draw();
    }

    private void Add(IReadOnlyList<MetricStep> points, bool redraw = true)
    {
        lock (_series)
            foreach (var p in points)
            {
                if (!_series.TryGetValue(p.Name, out var steps)) _series[p.Name] = steps = [];
                steps[p.Step] = p.Value;
            }
        if (redraw && Interlocked.Exchange(ref _redrawPending, 1) == 0) _ = RedrawSoonAsync();
    }

    private async Task RedrawSoonAsync()
    {
        try { await Task.Delay(RedrawEvery, Aborted); }
        catch (OperationCanceledException) { return; }
        Interlocked.Exchange(ref _redrawPending, 0);
        await InvokeAsync(() =>
        {
            Draw();
            StateHasChanged();
        });
    }

    private void Draw()
    {
        lock (_series)
            _views = [.. _series.Select(s => (s.Key, View(s.Key, [.. Thinned(s.Value)])))];
    }

    private static ChartView View(string name, List<KeyValuePair<long, double>> points) => ChartView.Line(
        [.. points.Select(p => p.Key.ToString(CultureInfo.InvariantCulture))], name, "#1e88e5", [.. points.Select(p => p.Value)]);

    /// <summary>At most <see cref="MaxDrawn"/> points, evenly spread, the last always among them.</summary>
    public static IEnumerable<KeyValuePair<long, double>> Thinned(IReadOnlyCollection<KeyValuePair<long, double>> points)
    {
        if (points.Count <= MaxDrawn) return points;
        var every = (double)points.Count / MaxDrawn;
        var list = points.ToList();
        return Enumerable.Range(0, MaxDrawn - 1).Select(i => list[(int)(i * every)]).Append(list[^1]);
    }

    private string Last(string name) =>
        _series[name].Count == 0 ? "—" : _series[name].Last().Value.ToString("0.####", CultureInfo.InvariantCulture);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _changes?.Dispose();
        base.Dispose(disposing);
    }
}
