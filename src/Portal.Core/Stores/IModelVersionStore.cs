using Portal.Core.Entities;

namespace Portal.Core.Stores;

public interface IModelVersionStore
{
    /// <summary>Versions of one model, or of all when <paramref name="model"/> is null. Sort keys: created_at (default, newest first), name, model.</summary>
    Task<Page<ModelVersion>> ListAsync(string? model, PageRequest request, CancellationToken ct);
    /// <summary>The newest versions of the given models, for pickers.</summary>
    Task<IReadOnlyList<ModelVersion>> ListForModelsAsync(IReadOnlyCollection<string> models, int take, CancellationToken ct);
    /// <summary>A version with its lineage loaded (model, training and its project, dataset, pretrained, build), or null.</summary>
    Task<ModelVersion?> FindAsync(string model, string name, CancellationToken ct);
    Task<IReadOnlyList<string>> NamesAsync(long modelId, CancellationToken ct);
    /// <summary>The versions a training published, oldest first.</summary>
    Task<IReadOnlyList<ModelVersion>> ListByTrainingAsync(long trainingId, CancellationToken ct);
    /// <summary>The versions of several trainings in one read (a comparison), oldest first.</summary>
    Task<ILookup<long, ModelVersion>> ListByTrainingsAsync(IReadOnlyCollection<long> trainingIds, CancellationToken ct);
    /// <summary>Adds the version, running <paramref name="placeFiles"/> with its id before the commit (see IDatasetStore.AddAsync).</summary>
    Task<ModelVersion> AddAsync(ModelVersion version, Func<long, CancellationToken, Task> placeFiles, CancellationToken ct);
    /// <summary>Every version id (for the file store's repair at start).</summary>
    Task<IReadOnlySet<long>> IdsAsync(CancellationToken ct);
    Task SetPromotionsAsync(long id, IReadOnlyList<Promotion> promotions, CancellationToken ct);
    Task DeleteAsync(long id, CancellationToken ct);
    /// <summary>Names of the deployments serving the version (they block its deletion).</summary>
    Task<IReadOnlyList<string>> DeploymentsUsingAsync(long id, CancellationToken ct);
    /// <summary>How many versions have been promoted to each environment (an environment in use cannot be dropped).</summary>
    Task<IReadOnlyDictionary<string, int>> PromotionCountsAsync(CancellationToken ct);
}
