using Portal.Core.Entities;

namespace Portal.Core.Stores;

public interface IRouteStore
{
    /// <summary>Every route, by name (routes are few: one per public model name).</summary>
    Task<IReadOnlyList<ModelRoute>> ListAsync(CancellationToken ct);
    Task<ModelRoute?> FindAsync(string name, CancellationToken ct);
    Task<ModelRoute> AddAsync(ModelRoute route, CancellationToken ct);
    Task<ModelRoute> MutateAsync(long id, Action<ModelRoute> change, CancellationToken ct);
    Task DeleteAsync(long id, CancellationToken ct);
}
