using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Persistence;

public sealed class EfRouteStore(IDbContextFactory<PortalDbContext> factory) : IRouteStore
{
    public async Task<IReadOnlyList<ModelRoute>> ListAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Routes.AsNoTracking().OrderBy(r => r.Name).ToListAsync(ct);
    }

    public async Task<ModelRoute?> FindAsync(string name, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Routes.AsNoTracking().SingleOrDefaultAsync(r => r.Name == name, ct);
    }

    public async Task<ModelRoute> AddAsync(ModelRoute route, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Routes.Add(route);
        await StoreQueries.SaveAsync(db, $"A route named '{route.Name}'", ct);
        return route;
    }

    public async Task<ModelRoute> MutateAsync(long id, Action<ModelRoute> change, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var route = await db.Routes.SingleAsync(r => r.Id == id, ct);
        change(route);
        await StoreQueries.SaveAsync(db, $"A route named '{route.Name}'", ct);
        return route;
    }

    public async Task DeleteAsync(long id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var route = await db.Routes.SingleOrDefaultAsync(r => r.Id == id, ct);
        if (route is null) return;
        // Removed through the tracker, not ExecuteDelete, so the audit row is written with it.
        db.Routes.Remove(route);
        await db.SaveChangesAsync(ct);
    }
}
