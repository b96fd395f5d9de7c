namespace Portal.Core.Dashboards;

/// <summary>One metric across a model's versions, oldest first, with the best version marked.</summary>
public sealed record MetricSeries(string Model, string? Metric, bool HigherIsBetter, IReadOnlyList<string> Metrics, IReadOnlyList<MetricPoint> Points, string? Best);

public sealed record MetricPoint(string Version, DateTime CreatedAt, string? Training, double Value, IReadOnlyList<string> Environments);
