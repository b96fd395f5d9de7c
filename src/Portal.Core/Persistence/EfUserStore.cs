using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Persistence;

public sealed class EfUserStore(IDbContextFactory<PortalDbContext> factory) : IUserStore
{
    public async Task<Page<PortalUser>> ListAsync(PageRequest request, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            var like = StoreQueries.LikePattern(request.Search);
            q = q.Where(u => EF.Functions.Like(StoreQueries.Lower(u.Name), like, "\\") || EF.Functions.Like(StoreQueries.Lower((u.DisplayName ?? "")), like, "\\") || EF.Functions.Like(StoreQueries.Lower((u.Email ?? "")), like, "\\"));
        }
        return await StoreQueries.PageAsync(q.OrderBy(u => u.Name), request, ct);
    }

    public async Task<PortalUser?> FindAsync(string name, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Name == name, ct);
    }

    public async Task<PortalUser?> FindAsync(long id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, ct);
    }

    public async Task<bool> AnyAdminAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        // Roles is a JSON column: the few users a portal has are read and checked here.
        var users = await db.Users.AsNoTracking().Where(u => !u.Disabled).Select(u => u.Roles).ToListAsync(ct);
        return users.Any(r => r.Contains(Security.Roles.Admin));
    }

    public async Task<PortalUser> AddAsync(PortalUser user, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Users.Add(user);
        await StoreQueries.SaveAsync(db, $"A user named '{user.Name}'", ct);
        return user;
    }

    public async Task<PortalUser> MutateAsync(long id, Action<PortalUser> change, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var user = await db.Users.SingleAsync(u => u.Id == id, ct);
        change(user);
        await db.SaveChangesAsync(ct);
        return user;
    }

    public async Task DeleteAsync(long id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Users.Remove(await db.Users.SingleAsync(u => u.Id == id, ct));
        await db.SaveChangesAsync(ct);
    }
}
