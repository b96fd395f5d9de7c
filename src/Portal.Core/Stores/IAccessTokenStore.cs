using Portal.Core.Entities;

namespace Portal.Core.Stores;

public interface IAccessTokenStore
{
    /// <summary>The tokens of one user, newest first (with their owner loaded).</summary>
    Task<IReadOnlyList<AccessToken>> ListAsync(long userId, CancellationToken ct);
    /// <summary>The token with this hash, with its owner loaded.</summary>
    Task<AccessToken?> FindByHashAsync(string hash, CancellationToken ct);
    Task<AccessToken?> FindAsync(long id, CancellationToken ct);
    Task<AccessToken> AddAsync(AccessToken token, CancellationToken ct);
    Task MutateAsync(long id, Action<AccessToken> change, CancellationToken ct);
}
