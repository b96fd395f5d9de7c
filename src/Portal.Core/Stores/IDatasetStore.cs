using Portal.Core.Entities;

namespace Portal.Core.Stores;

public interface IDatasetStore
{
    /// <summary>Datasets of one model, or of all when <paramref name="modelName"/> is null. Sort keys: name, created_at, size.</summary>
    Task<Page<Dataset>> ListAsync(string? modelName, PageRequest request, CancellationToken ct);
    Task<Dataset?> FindAsync(string modelName, string name, CancellationToken ct);
    Task<Dataset> AddAsync(Dataset dataset, CancellationToken ct);
    Task<Dataset> UpdateAsync(Dataset dataset, CancellationToken ct);
    Task DeleteAsync(long id, CancellationToken ct);
}
