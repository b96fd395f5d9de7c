using Portal.Core.Entities;

namespace Portal.Core.Stores;

/// <summary>Model packages; the name is unique.</summary>
public interface IPackageStore
{
    Task<Page<ModelPackage>> ListAsync(PageRequest request, long? modelVersionId, CancellationToken ct);
    /// <summary>Every package waiting or being made, however many there are.</summary>
    Task<IReadOnlyList<ModelPackage>> ListActiveAsync(CancellationToken ct);
    Task<ModelPackage?> FindAsync(string name, CancellationToken ct);
    Task<ModelPackage> AddAsync(ModelPackage package, CancellationToken ct);
    /// <summary>Changes one package; only <see cref="Packages.PackageService"/>, which owns the runs, calls this.</summary>
    Task<ModelPackage> MutateAsync(long id, Action<ModelPackage> change, CancellationToken ct);
    Task DeleteAsync(long id, CancellationToken ct);
}
