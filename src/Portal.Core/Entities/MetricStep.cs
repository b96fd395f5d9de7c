namespace Portal.Core.Entities;

/// <summary>One value of a metric a training reported at a step (<c>portal_toolkit.log_metric</c>): a point of its series.</summary>
public sealed class MetricStep
{
    public long Id { get; set; }
    public long TrainingId { get; set; }
    public string Name { get; set; } = "";
    public long Step { get; set; }
    public double Value { get; set; }
    public DateTime At { get; set; }
}

/// <summary>Points a training just reported, as the supervisor publishes them for pages drawing its curves.</summary>
public sealed record MetricSteps(long TrainingId, IReadOnlyList<MetricStep> Points);
