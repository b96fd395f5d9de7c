using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Persistence;

public sealed class EfPackageStore(IDbContextFactory<PortalDbContext> factory) : IPackageStore
{
    private static IQueryable<ModelPackage> Loaded(PortalDbContext db) =>
        db.ModelPackages.AsNoTracking().Include(p => p.ModelVersion).ThenInclude(v => v!.Model);

    public async Task<Page<ModelPackage>> ListAsync(PageRequest request, long? modelVersionId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = Loaded(db);
        if (modelVersionId is { } versionId) q = q.Where(p => p.ModelVersionId == versionId);
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            var like = StoreQueries.LikePattern(request.Search);
            q = q.Where(p => EF.Functions.Like(StoreQueries.Lower(p.Name), like, "\\") || EF.Functions.Like(StoreQueries.Lower(p.VersionRef), like, "\\") || EF.Functions.Like(StoreQueries.Lower(p.Image), like, "\\"));
        }
        q = request.SortBy == "name" ? StoreQueries.Sort(q, p => p.Name, request.Descending) : q.OrderByDescending(p => p.Id);
        return await StoreQueries.PageAsync(q, request, ct);
    }

    public async Task<IReadOnlyList<ModelPackage>> ListActiveAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.ModelPackages.AsNoTracking().Where(p => p.Task.State == TaskState.Waiting || p.Task.State == TaskState.Running).ToListAsync(ct);
    }

    public async Task<ModelPackage?> FindAsync(string name, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await Loaded(db).SingleOrDefaultAsync(p => p.Name == name, ct);
    }

    public async Task<ModelPackage> AddAsync(ModelPackage package, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var version = package.ModelVersion;
        package.ModelVersion = null;
        db.ModelPackages.Add(package);
        try { await StoreQueries.SaveAsync(db, $"A package named '{package.Name}'", ct); }
        finally { package.ModelVersion = version; }
        return package;
    }

    public async Task<ModelPackage> MutateAsync(long id, Action<ModelPackage> change, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var package = await db.ModelPackages.SingleAsync(p => p.Id == id, ct);
        change(package);
        await StoreQueries.SaveAsync(db, $"A package named '{package.Name}'", ct);
        return await Loaded(db).SingleAsync(p => p.Id == id, ct);
    }

    public async Task DeleteAsync(long id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.ModelPackages.Where(p => p.Id == id).ExecuteDeleteAsync(ct);
    }
}
