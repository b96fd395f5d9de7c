using Portal.Core.Entities;

namespace Portal.Core.Stores;

public interface IModelStore
{
    /// <summary>Sort keys: name, created_at, updated_at. Search matches name and description.</summary>
    Task<Page<Model>> ListAsync(PageRequest request, CancellationToken ct);
    Task<Model?> FindAsync(string name, CancellationToken ct);
    Task<IReadOnlyList<Model>> FindManyAsync(IReadOnlyCollection<string> names, CancellationToken ct);
    Task<Model> AddAsync(Model model, CancellationToken ct);
    Task<Model> UpdateAsync(Model model, CancellationToken ct);
    /// <summary>Deletes the model with its datasets and versions (the database cascades).</summary>
    Task DeleteAsync(long id, CancellationToken ct);
    Task<ModelUsage> GetUsageAsync(long id, CancellationToken ct);
}

/// <summary>What depends on a model: its deletion removes the datasets and versions; deployments block it.</summary>
public sealed record ModelUsage(IReadOnlyList<string> Projects, IReadOnlyList<long> DatasetIds, IReadOnlyList<long> VersionIds, IReadOnlyList<string> Deployments);
