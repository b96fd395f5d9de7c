using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Persistence;

public sealed class EfAccessTokenStore(IDbContextFactory<PortalDbContext> factory) : IAccessTokenStore
{
    public async Task<IReadOnlyList<AccessToken>> ListAsync(long userId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.AccessTokens.AsNoTracking().Include(t => t.User).Where(t => t.UserId == userId).OrderByDescending(t => t.Id).ToListAsync(ct);
    }

    public async Task<AccessToken?> FindByHashAsync(string hash, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.AccessTokens.AsNoTracking().Include(t => t.User).SingleOrDefaultAsync(t => t.Hash == hash, ct);
    }

    public async Task<AccessToken?> FindAsync(long id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.AccessTokens.AsNoTracking().Include(t => t.User).SingleOrDefaultAsync(t => t.Id == id, ct);
    }

    public async Task<AccessToken> AddAsync(AccessToken token, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var user = token.User;
        token.User = null;
        db.AccessTokens.Add(token);
        try { await StoreQueries.SaveAsync(db, $"A token named '{token.Name}'", ct); }
        finally { token.User = user; }
        return token;
    }

    public async Task MutateAsync(long id, Action<AccessToken> change, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        change(await db.AccessTokens.SingleAsync(t => t.Id == id, ct));
        await db.SaveChangesAsync(ct);
    }
}
