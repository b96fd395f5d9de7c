using MudBlazor;
using MudBlazor.Charts;

namespace Portal.Web.Features.Dashboards;

/// <summary>What one dashboard chart draws: its kind, a label per category and a series per measure, each with its colour.</summary>
public sealed class ChartView
{
    private ChartView(ChartType type, string[] labels, List<ChartSeries<double>> series, string[] palette)
    {
        (Type, Labels, Series) = (type, labels, series);
        // Axes print at most two (three for metrics) decimals, not 0.9500000000000001.
        Options = type switch
        {
            ChartType.Line => new LineChartOptions { ChartPalette = palette, YAxisFormat = "0.###", YAxisLines = true, ShowDataMarkers = true },
            ChartType.StackedBar => new StackedBarChartOptions { ChartPalette = palette, YAxisFormat = "0.##", YAxisLines = true },
            _ => new BarChartOptions { ChartPalette = palette, YAxisFormat = "0.##", YAxisLines = true },
        };
    }

    public ChartType Type { get; }
    public string[] Labels { get; }
    public List<ChartSeries<double>> Series { get; }
    public IChartOptions Options { get; }

    /// <summary>Bars (stacked or side by side) of each measure per row.</summary>
    public static ChartView Bars<TRow>(IReadOnlyList<TRow> rows, Func<TRow, string> label, bool stacked,
        params (string Name, string Colour, Func<TRow, double> Value)[] measures) =>
        new(stacked ? ChartType.StackedBar : ChartType.Bar, [.. rows.Select(label)],
            [.. measures.Select(m => new ChartSeries<double> { Name = m.Name, Data = rows.Select(m.Value).ToArray() })],
            [.. measures.Select(m => m.Colour)]);

    /// <summary>A line through one value per category.</summary>
    public static ChartView Line(string[] labels, string name, string colour, double[] values) =>
        new(ChartType.Line, labels, [new ChartSeries<double> { Name = name, Data = values }], [colour]);
}
