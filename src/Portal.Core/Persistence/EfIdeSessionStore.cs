using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Persistence;

public sealed class EfIdeSessionStore(IDbContextFactory<PortalDbContext> factory) : IIdeSessionStore
{
    public async Task<IReadOnlyList<IdeSession>> ListAsync(string? user, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = db.IdeSessions.AsNoTracking();
        if (user is not null) q = q.Where(s => s.User == user);
        return await q.OrderByDescending(s => s.Id).ToListAsync(ct);
    }

    public async Task<IdeSession?> FindAsync(string user, string name, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.IdeSessions.AsNoTracking().SingleOrDefaultAsync(s => s.User == user && s.Name == name, ct);
    }

    public async Task<IdeSession> AddAsync(IdeSession session, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.IdeSessions.Add(session);
        await StoreQueries.SaveAsync(db, $"A session named '{session.Name}'", ct);
        return session;
    }

    public async Task<IdeSession> MutateAsync(long id, Action<IdeSession> change, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var session = await db.IdeSessions.SingleAsync(s => s.Id == id, ct);
        change(session);
        await db.SaveChangesAsync(ct);
        return session;
    }

    public async Task DeleteAsync(long id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.IdeSessions.Where(s => s.Id == id).ExecuteDeleteAsync(ct);
    }
}
