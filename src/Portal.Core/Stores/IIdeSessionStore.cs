using Portal.Core.Entities;

namespace Portal.Core.Stores;

public interface IIdeSessionStore
{
    /// <summary>Sessions of one user, or of everyone when <paramref name="user"/> is null; newest first.</summary>
    Task<IReadOnlyList<IdeSession>> ListAsync(string? user, CancellationToken ct);
    Task<IdeSession?> FindAsync(string user, string name, CancellationToken ct);
    Task<IdeSession> AddAsync(IdeSession session, CancellationToken ct);
    Task<IdeSession> MutateAsync(long id, Action<IdeSession> change, CancellationToken ct);
    Task DeleteAsync(long id, CancellationToken ct);
}
