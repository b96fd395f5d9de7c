using Portal.Core.Entities;

namespace Portal.Core.Stores;

public interface ICredentialStore
{
    Task<Page<Credential>> ListAsync(string? owner, PageRequest request, CancellationToken ct);
    Task<Credential?> FindAsync(string name, CancellationToken ct);
    Task<Credential> AddAsync(Credential credential, CancellationToken ct);
    Task<Credential> MutateAsync(long id, Action<Credential> change, CancellationToken ct);
    Task DeleteAsync(long id, CancellationToken ct);
}
