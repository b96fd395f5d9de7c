using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Deployments;

/// <summary>The requests a deployment served, as the router recorded them, newest first.</summary>
public sealed class PredictionHistory(IPredictionStore records)
{
    public Task<IReadOnlyList<PredictionRecord>> RecentAsync(Deployment deployment, int take, CancellationToken ct) =>
        records.RecentAsync(deployment.Id, take, ct);
}
