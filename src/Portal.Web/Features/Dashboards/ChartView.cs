using MudBlazor;
using MudBlazor.Charts;

namespace Portal.Web.Features.Dashboards;

/// <summary>What one dashboard chart draws: a label per category and a series per measure, each with its colour.</summary>
public sealed record ChartView(string[] Labels, List<ChartSeries<double>> Series, IChartOptions Options)
{
    /// <summary>A bar (or stacked bar) chart whose axis prints at most two decimals, not 0.9500000000000001.</summary>
    public static ChartView Bars<TRow>(IReadOnlyList<TRow> rows, Func<TRow, string> label,
        params (string Name, string Colour, Func<TRow, double> Value)[] measures) =>
        new([.. rows.Select(label)],
            [.. measures.Select(m => new ChartSeries<double> { Name = m.Name, Data = rows.Select(m.Value).ToArray() })],
            new BarChartOptions { ChartPalette = [.. measures.Select(m => m.Colour)], YAxisFormat = "0.##", YAxisLines = true });

    /// <summary>A line through one value per category.</summary>
    public static ChartView Line(string[] labels, string name, string colour, double[] values) =>
        new(labels, [new ChartSeries<double> { Name = name, Data = values }],
            new LineChartOptions { ChartPalette = [colour], YAxisFormat = "0.###", YAxisLines = true, ShowDataMarkers = true });

    /// <summary>Stacked bars need their own options type.</summary>
    public ChartView Stacked() =>
        this with { Options = new StackedBarChartOptions { ChartPalette = ((ChartOptions)Options).ChartPalette, YAxisFormat = "0.##", YAxisLines = true } };
}
