using Portal.Core.Entities;

namespace Portal.Core.Stores;

public interface IDatasetStore
{
    /// <summary>Datasets of one model, or of all when <paramref name="modelName"/> is null. Sort keys: name, created_at, size.</summary>
    /// <summary>The model's newest dataset whose files are all stored (a schedule's "newest dataset of").</summary>
    Task<Dataset?> NewestAsync(string modelName, CancellationToken ct);
    Task<Page<Dataset>> ListAsync(string? modelName, PageRequest request, CancellationToken ct);
    Task<Dataset?> FindAsync(string modelName, string name, CancellationToken ct);
    /// <summary>
    /// Adds the dataset and, before committing it, runs <paramref name="placeFiles"/> with its id: the row is visible only
    /// once its files are in place, and a failure (or a crash) in between leaves no row.
    /// </summary>
    Task<Dataset> AddAsync(Dataset dataset, Func<long, CancellationToken, Task> placeFiles, CancellationToken ct);
    /// <summary>Every dataset id (for the file store's repair at start).</summary>
    Task<IReadOnlySet<long>> IdsAsync(CancellationToken ct);
    Task<Dataset> UpdateAsync(Dataset dataset, CancellationToken ct);
    Task DeleteAsync(long id, CancellationToken ct);
}
