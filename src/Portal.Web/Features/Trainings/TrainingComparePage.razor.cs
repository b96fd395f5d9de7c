using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Core.Errors;
using Portal.Core.Trainings;

namespace Portal.Web.Features.Trainings;

/// <summary>
/// The logic of <c>TrainingComparePage.razor</c>: the runs named in the address (<c>?runs=project/training,…</c>, so a
/// comparison can be shared), their table, their parallel coordinates (numeric parameters, then final metrics) and each
/// metric's curves overlaid, one line per run.
/// </summary>
public sealed partial class TrainingComparePage
{
    [SupplyParameterFromQuery(Name = "runs")] public string? Runs { get; set; }
    [Inject] private TrainingComparison Comparison { get; set; } = default!;

    private static readonly string[] Palette =
        ["#1e88e5", "#e53935", "#43a047", "#fb8c00", "#8e24aa", "#00897b", "#6d4c41", "#3949ab", "#c0ca33", "#d81b60"];

    /// <summary>The most runs whose curves show values on hover.</summary>
    private const int TooltipRuns = 10;

    private ComparedRuns? _compared;
    private string? _problem;
    private bool _onlyDifferences;
    private List<ParallelAxis> _axes = [];
    private List<ParallelRun> _lines = [];
    private List<(string Metric, CurvesView View)> _curves = [];
    private IReadOnlySet<string>? _matching;

    /// <summary>The chart of one metric: a line per run over the union of their steps.</summary>
    private sealed record CurvesView(ChartType Type, string[] Labels, List<ChartSeries<double>> Series, LineChartOptions Options);

    protected override async Task OnParametersSetAsync()
    {
        try
        {
            _compared = await Comparison.CompareAsync((Runs ?? "").Split(','), Aborted);
            _problem = null;
        }
        catch (PortalException e)
        {
            _problem = e.Message;
            return;
        }
        _axes =
        [
            .. _compared.Parameters.Where(p => _compared.Runs.Any(r => r.Training.Parameters.TryGetValue(p, out var v) && TrainingComparison.Numeric(v) is not null))
                .Select(p => new ParallelAxis(p, IsMetric: false)),
            .. _compared.Metrics.Select(m => new ParallelAxis(m, IsMetric: true)),
        ];
        _lines = [.. _compared.Runs.Select(r => new ParallelRun(Label(r), _axes.ToDictionary(a => a.Name, a => a.IsMetric
            ? r.Training.Metrics.TryGetValue(a.Name, out var m) ? m : (double?)null
            : r.Training.Parameters.TryGetValue(a.Name, out var p) ? TrainingComparison.Numeric(p) : null)))];
        _curves = [.. _compared.Runs.SelectMany(r => r.Series.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(m => (m, Curves(m)))];
    }

    private static string Label(ComparedRun run) => $"{run.Training.Project?.Name}/{run.Training.Name}";

    private bool Fades(ComparedRun run) => _matching is not null && !_matching.Contains(Label(run));

    private void OnMatching(IReadOnlySet<string> matching) => _matching = matching.Count == _compared!.Runs.Count ? null : matching;

    /// <summary>The best final value of a metric among the runs: the lowest for names that read like a loss or error, else the highest.</summary>
    private double? Best(string metric)
    {
        var values = _compared!.Runs.Select(r => r.Training.Metrics.TryGetValue(metric, out var v) ? v : (double?)null).OfType<double>().ToList();
        if (values.Count < 2) return null;
        var lower = metric.Contains("loss", StringComparison.OrdinalIgnoreCase) || metric.Contains("error", StringComparison.OrdinalIgnoreCase)
            || metric.Contains("mae", StringComparison.OrdinalIgnoreCase) || metric.Contains("rmse", StringComparison.OrdinalIgnoreCase);
        return lower ? values.Min() : values.Max();
    }

    /// <summary>
    /// One line per run over the union of the runs' steps (at most <see cref="TrainingCurves.MaxDrawn"/>); a run holds its
    /// last value where it reported none at a step, and its first before it started.
    /// </summary>
    private CurvesView Curves(string metric)
    {
        var runs = _compared!.Runs.Where(r => r.Series.ContainsKey(metric)).ToList();
        var steps = runs.SelectMany(r => r.Series[metric].Select(p => p.Step)).Distinct().Order().ToList();
        var shown = TrainingCurves.Thinned([.. steps.Select(s => new KeyValuePair<long, double>(s, 0))]).Select(p => p.Key).ToList();
        var series = runs.Select(r =>
        {
            var points = r.Series[metric];
            var values = shown.Select(step => (points.LastOrDefault(p => p.Step <= step) ?? points[0]).Value).ToArray();
            return new ChartSeries<double> { Name = Label(r), Data = values };
        }).ToList();
        var options = new LineChartOptions
        {
            ChartPalette = [.. runs.Select((_, i) => Palette[i % Palette.Length])], YAxisFormat = "0.###", YAxisLines = true,
            // Hover tooltips cost MudChart a hidden element per point: drawn for a few runs, not for 50 (the table has the finals).
            ShowToolTips = runs.Count <= TooltipRuns,
        };
        return new CurvesView(ChartType.Line, [.. shown.Select(s => s.ToString(CultureInfo.InvariantCulture))], series, options);
    }
}
