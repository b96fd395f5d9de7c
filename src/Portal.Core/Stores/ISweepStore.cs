using Portal.Core.Entities;

namespace Portal.Core.Stores;

public interface ISweepStore
{
    /// <summary>Sweeps of one project or all, newest first.</summary>
    Task<Page<Sweep>> ListAsync(string? projectName, PageRequest request, CancellationToken ct);
    Task<Sweep?> FindAsync(string projectName, string name, CancellationToken ct);
    Task<Sweep?> GetAsync(long id, CancellationToken ct);
    /// <summary>Sweeps still launching or waiting for trials.</summary>
    Task<IReadOnlyList<Sweep>> ListRunningAsync(CancellationToken ct);
    Task<Sweep> AddAsync(Sweep sweep, CancellationToken ct);
    /// <summary>Loads the sweep, applies <paramref name="change"/> and saves it, in one unit.</summary>
    Task<Sweep> MutateAsync(long id, Action<Sweep> change, CancellationToken ct);
}
