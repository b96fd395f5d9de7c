using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Persistence;

public sealed class EfCredentialStore(IDbContextFactory<PortalDbContext> factory) : ICredentialStore
{
    public async Task<Page<Credential>> ListAsync(string? owner, PageRequest request, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = db.Credentials.AsNoTracking();
        if (owner is not null) q = q.Where(c => c.Owner == owner);
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            var like = StoreQueries.LikePattern(request.Search);
            q = q.Where(c => EF.Functions.Like(StoreQueries.Lower(c.Name), like, "\\") || EF.Functions.Like(StoreQueries.Lower((c.Uri ?? "")), like, "\\"));
        }
        return await StoreQueries.PageAsync(q.OrderBy(c => c.Name), request, ct);
    }

    public async Task<Credential?> FindAsync(string name, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Credentials.AsNoTracking().SingleOrDefaultAsync(c => c.Name == name, ct);
    }

    public async Task<Credential> AddAsync(Credential credential, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Credentials.Add(credential);
        await StoreQueries.SaveAsync(db, $"A credential named '{credential.Name}'", ct);
        return credential;
    }

    public async Task<Credential> MutateAsync(long id, Action<Credential> change, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var credential = await db.Credentials.SingleAsync(c => c.Id == id, ct);
        change(credential);
        await db.SaveChangesAsync(ct);
        return credential;
    }

    public async Task DeleteAsync(long id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Credentials.Remove(await db.Credentials.SingleAsync(c => c.Id == id, ct));
        await db.SaveChangesAsync(ct);
    }
}
