using Portal.Core.Entities;

namespace Portal.Core.Stores;

public interface IUserStore
{
    Task<Page<PortalUser>> ListAsync(PageRequest request, CancellationToken ct);
    Task<PortalUser?> FindAsync(string name, CancellationToken ct);
    Task<PortalUser?> FindAsync(long id, CancellationToken ct);
    Task<bool> AnyAdminAsync(CancellationToken ct);
    Task<PortalUser> AddAsync(PortalUser user, CancellationToken ct);
    Task<PortalUser> MutateAsync(long id, Action<PortalUser> change, CancellationToken ct);
    Task DeleteAsync(long id, CancellationToken ct);
}
