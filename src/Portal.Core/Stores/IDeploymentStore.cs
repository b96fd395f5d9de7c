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
}

/// <summary>Requests through the router and the feedback attached to them.</summary>
public interface IPredictionStore
{
    /// <summary>Stores records in one transaction (the router writes them in batches).</summary>
    Task AddAsync(IReadOnlyCollection<PredictionRecord> records, CancellationToken ct);
    /// <summary>Attaches feedback to the request with that id, if it was served by the deployment; false when there is none.</summary>
    Task<bool> AttachFeedbackAsync(long deploymentId, string requestId, string feedback, DateTime at, CancellationToken ct);
    Task<IReadOnlyList<PredictionRecord>> RecentAsync(long deploymentId, int take, CancellationToken ct);
    Task<PredictionRecord?> FindAsync(string requestId, CancellationToken ct);
}
