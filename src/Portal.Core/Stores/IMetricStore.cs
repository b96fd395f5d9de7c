using Portal.Core.Entities;

namespace Portal.Core.Stores;

/// <summary>The series of metrics trainings report over steps.</summary>
public interface IMetricStore
{
    Task AddAsync(IReadOnlyList<MetricStep> points, CancellationToken ct);
    /// <summary>How many points a training has, for its limit.</summary>
    Task<int> CountAsync(long trainingId, CancellationToken ct);
    /// <summary>A training's points, by name then step (a step reported twice keeps its last value).</summary>
    Task<IReadOnlyList<MetricStep>> SeriesAsync(long trainingId, CancellationToken ct);
    /// <summary>The points of several trainings in one read (a comparison), each as <see cref="SeriesAsync"/> gives them.</summary>
    Task<IReadOnlyDictionary<long, IReadOnlyList<MetricStep>>> SeriesAsync(IReadOnlyCollection<long> trainingIds, CancellationToken ct);
}
