using Portal.Core.Entities;
using Portal.Core.Errors;

namespace Portal.Core.Trainings;

/// <summary>The rules of the metric series a training reports over steps, and how they are grouped for callers.</summary>
public static class TrainingSeries
{
    public const int MaxPointsPerReport = 1_000;
    public const int MaxPointsPerTraining = 100_000;
    public const int MaxNameLength = 100;

    /// <summary>Every problem of the points in one report, by field.</summary>
    public static void Check(IReadOnlyList<MetricStep> points)
    {
        var errors = new ValidationErrors();
        if (points.Count > MaxPointsPerReport)
            errors.Add("points", $"A report carries at most {MaxPointsPerReport} points, not {points.Count}.");
        foreach (var (p, i) in points.Select((p, i) => (p, i)))
        {
            if (string.IsNullOrWhiteSpace(p.Name) || p.Name.Length > MaxNameLength)
                errors.Add($"points[{i}].name", $"A metric's name has 1 to {MaxNameLength} characters.");
            if (p.Step < 0) errors.Add($"points[{i}].step", $"A step is a whole number from 0, not {p.Step}.");
            if (!double.IsFinite(p.Value)) errors.Add($"points[{i}].value", $"A metric's value is a finite number, not {p.Value}.");
        }
        errors.ThrowIfAny();
    }

    /// <summary>The points by metric name, each series by step.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<MetricStep>> ByName(IReadOnlyList<MetricStep> points) =>
        points.GroupBy(p => p.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, IReadOnlyList<MetricStep> (g) => [.. g.OrderBy(p => p.Step)], StringComparer.Ordinal);
}
