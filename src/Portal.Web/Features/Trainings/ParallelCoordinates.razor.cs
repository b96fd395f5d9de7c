using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace Portal.Web.Features.Trainings;

/// <summary>An axis of the chart: a parameter or a final metric.</summary>
public sealed record ParallelAxis(string Name, bool IsMetric);

/// <summary>A run as the chart draws it: its label and its value on each axis (null where it has none).</summary>
public sealed record ParallelRun(string Label, IReadOnlyDictionary<string, double?> Values);

/// <summary>
/// The logic of <c>ParallelCoordinates.razor</c>: scales each axis to its runs' values, draws a line per run, and keeps a
/// range (brush) per axis set by dragging or by the min/max fields; the runs inside every range are reported to the page.
/// </summary>
public sealed partial class ParallelCoordinates
{
    public const double Top = 28, Bottom = 250, Height = 270;
    private const double Margin = 60, AxisGap = 140, HitWidth = 20;

    [Parameter, EditorRequired] public IReadOnlyList<ParallelAxis> Axes { get; set; } = [];
    [Parameter, EditorRequired] public IReadOnlyList<ParallelRun> Runs { get; set; } = [];
    /// <summary>The labels of the runs inside every range, each time the ranges change.</summary>
    [Parameter] public EventCallback<IReadOnlySet<string>> MatchingChanged { get; set; }

    private readonly Dictionary<string, (double Lo, double Hi)> _brushes = new(StringComparer.Ordinal);
    private Dictionary<string, (double Min, double Max)> _ranges = [];
    private (string Axis, double FromY)? _dragging;

    private double Width => Margin * 2 + AxisGap * Math.Max(1, Axes.Count - 1);

    protected override void OnParametersSet() =>
        _ranges = Axes.ToDictionary(a => a.Name, a =>
        {
            var values = Runs.Select(r => r.Values.GetValueOrDefault(a.Name)).OfType<double>().ToList();
            if (values.Count == 0) return (0.0, 1.0);
            var (min, max) = (values.Min(), values.Max());
            return min == max ? (min - 0.5, max + 0.5) : (min, max);
        }, StringComparer.Ordinal);

    private static double X(int i) => Margin + AxisGap * i;

    private double Y(string axis, double value)
    {
        var (min, max) = _ranges[axis];
        return Bottom - (value - min) / (max - min) * (Bottom - Top);
    }

    private double ValueAt(string axis, double y)
    {
        var (min, max) = _ranges[axis];
        return min + (Bottom - Math.Clamp(y, Top, Bottom)) / (Bottom - Top) * (max - min);
    }

    private (double Lo, double Hi)? Brush(string axis) => _brushes.TryGetValue(axis, out var b) ? b : null;

    public bool Matches(ParallelRun run) => _brushes.All(b =>
        run.Values.GetValueOrDefault(b.Key) is { } v && v >= b.Value.Lo && v <= b.Value.Hi);

    /// <summary>The run's line, broken where it has no value on an axis.</summary>
    private IEnumerable<string> Segments(ParallelRun run)
    {
        var points = new List<string>();
        for (var i = 0; i < Axes.Count; i++)
        {
            if (run.Values.GetValueOrDefault(Axes[i].Name) is { } v) points.Add($"{N(X(i))},{N(Y(Axes[i].Name, v))}");
            else if (points.Count > 0)
            {
                if (points.Count > 1) yield return string.Join(' ', points);
                points = [];
            }
        }
        if (points.Count > 1) yield return string.Join(' ', points);
    }

    private void Down(PointerEventArgs e)
    {
        var i = Enumerable.Range(0, Axes.Count).FirstOrDefault(i => Math.Abs(X(i) - e.OffsetX) <= HitWidth, -1);
        if (i < 0) return;
        _dragging = (Axes[i].Name, e.OffsetY);
    }

    private void Move(PointerEventArgs e)
    {
        if (_dragging is not var (axis, fromY)) return;
        var (a, b) = (ValueAt(axis, fromY), ValueAt(axis, e.OffsetY));
        _brushes[axis] = (Math.Min(a, b), Math.Max(a, b));
    }

    private async Task Up(PointerEventArgs e)
    {
        if (_dragging is not var (axis, fromY)) return;
        _dragging = null;
        // A click without a drag clears that axis's range.
        if (Math.Abs(e.OffsetY - fromY) < 3) _brushes.Remove(axis);
        await ReportAsync();
    }

    private async Task SetBound(string axis, double? value, bool low)
    {
        var (min, max) = _ranges[axis];
        var current = Brush(axis) ?? (min, max);
        var next = low ? (value ?? min, current.Hi) : (current.Lo, value ?? max);
        if (next.Item1 <= min && next.Item2 >= max && value is null) _brushes.Remove(axis);
        else _brushes[axis] = (Math.Min(next.Item1, next.Item2), Math.Max(next.Item1, next.Item2));
        await ReportAsync();
    }

    private async Task ClearAsync()
    {
        _brushes.Clear();
        await ReportAsync();
    }

    private Task ReportAsync() =>
        MatchingChanged.InvokeAsync(Runs.Where(Matches).Select(r => r.Label).ToHashSet(StringComparer.Ordinal));

    private static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Format(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Slug(string name) => new([.. name.Select(c => char.IsLetterOrDigit(c) ? c : '-')]);
}
