using Portal.Core.Dashboards;

namespace Portal.Core.Stores;

/// <summary>The facts dashboards aggregate, read in one pass per window rather than through the entity pages.</summary>
public interface IDashboardStore
{
    /// <summary>Trainings launched in [from, until), of one project or all.</summary>
    Task<IReadOnlyList<TrainingFact>> TrainingsAsync(DateTime from, DateTime until, string? project, CancellationToken ct);

    /// <summary>IDE sessions whose current (or last) run overlaps [from, until).</summary>
    Task<IReadOnlyList<IdeFact>> IdeSessionsAsync(DateTime from, DateTime until, CancellationToken ct);

    /// <summary>The newest <paramref name="take"/> versions of a model; null when there is no such model.</summary>
    Task<IReadOnlyList<VersionMetricFact>?> VersionsAsync(string model, int take, CancellationToken ct);

    /// <summary>Every deployment (of one project or all) with its router records in [from, until).</summary>
    Task<IReadOnlyList<TrafficFact>> TrafficAsync(DateTime from, DateTime until, string? project, CancellationToken ct);
}
