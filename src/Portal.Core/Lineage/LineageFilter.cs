namespace Portal.Core.Lineage;

/// <summary>
/// Narrows a neighbourhood: a project (trainings, builds, deployments), a model (datasets, versions) and a time window
/// on when each thing was made. A filter does not apply to kinds that lack the attribute, and never hides the start.
/// </summary>
public sealed record LineageFilter(string? Project = null, string? Model = null, DateTime? From = null, DateTime? To = null)
{
    public static readonly LineageFilter None = new();
}
