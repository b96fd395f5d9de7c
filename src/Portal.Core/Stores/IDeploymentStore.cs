using Portal.Core.Entities;

namespace Portal.Core.Stores;

public interface IDeploymentStore
{
    /// <summary>Newest first; search matches name, project and served version.</summary>
    Task<Page<Deployment>> ListAsync(PageRequest request, CancellationToken ct);
    /// <summary>A deployment with its project, model version (and model) and build loaded, or null.</summary>
    Task<Deployment?> FindAsync(string name, CancellationToken ct);
    Task<Deployment> AddAsync(Deployment deployment, CancellationToken ct);
    Task<Deployment> MutateAsync(long id, Action<Deployment> change, CancellationToken ct);
    Task DeleteAsync(long id, CancellationToken ct);
    /// <summary>The name of a deployment serving the package's image, or null when none does.</summary>
    Task<string?> ServingPackageAsync(long packageId, CancellationToken ct);
    /// <summary>How many deployments run in each environment (an environment in use cannot be dropped).</summary>
    Task<IReadOnlyDictionary<string, int>> EnvironmentCountsAsync(CancellationToken ct);
    /// <summary>Deployments with scale to zero on that are awake and have replicas.</summary>
    Task<IReadOnlyList<Deployment>> SleepCandidatesAsync(CancellationToken ct);
}

/// <summary>How many requests one deployment answered, through which route (or none), as a shadow or not, with errors and mean latency.</summary>
public sealed record TrafficRow(string Deployment, string? Route, bool Shadow, int Requests, int Errors, double MeanLatencyMs);

/// <summary>Requests through the router and the feedback attached to them.</summary>
public interface IPredictionStore
{
    /// <summary>Stores records in one transaction (the router writes them in batches).</summary>
    Task AddAsync(IReadOnlyCollection<PredictionRecord> records, CancellationToken ct);
    /// <summary>
    /// Attaches feedback to the request with that id served by any of the deployments (a route's targets and its shadow share
    /// one Request-ID); false when there is none.
    /// </summary>
    Task<bool> AttachFeedbackAsync(IReadOnlyCollection<long> deploymentIds, string requestId, string feedback, DateTime at, CancellationToken ct);
    Task<IReadOnlyList<PredictionRecord>> RecentAsync(long deploymentId, int take, CancellationToken ct);
    /// <summary>The newest <paramref name="take"/> requests made since <paramref name="since"/> that got feedback (time, version, response, feedback only).</summary>
    Task<IReadOnlyList<PredictionRecord>> LabelledAsync(long deploymentId, DateTime since, int take, CancellationToken ct);
    /// <summary>Requests since <paramref name="since"/> through <paramref name="route"/>, or to <paramref name="deploymentId"/>, by deployment, route and shadow.</summary>
    Task<IReadOnlyList<TrafficRow>> TrafficAsync(IReadOnlyCollection<string> routes, DateTime since, CancellationToken ct);
}
