using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Persistence;

public sealed class EfModelStore(IDbContextFactory<PortalDbContext> factory) : IModelStore
{
    public async Task<Page<Model>> ListAsync(PageRequest request, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        IQueryable<Model> q = db.Models.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            var like = StoreQueries.LikePattern(request.Search);
            q = q.Where(m => EF.Functions.Like(StoreQueries.Lower(m.Name), like, "\\") || EF.Functions.Like(StoreQueries.Lower((m.Desc ?? "")), like, "\\"));
        }
        q = request.SortBy switch
        {
            "created_at" => StoreQueries.Sort(q, m => m.CreatedAt, request.Descending).ThenBy(m => m.Name),
            "updated_at" => StoreQueries.Sort(q, m => m.UpdatedAt, request.Descending).ThenBy(m => m.Name),
            _ => StoreQueries.Sort(q, m => m.Name, request.Descending),
        };
        return await StoreQueries.PageAsync(q, request, ct);
    }

    public async Task<Model?> FindAsync(string name, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Name == name, ct);
    }

    public async Task<IReadOnlyList<Model>> FindManyAsync(IReadOnlyCollection<string> names, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Models.AsNoTracking().Where(m => names.Contains(m.Name)).ToListAsync(ct);
    }

    public async Task<Model> AddAsync(Model model, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Models.Add(model);
        await StoreQueries.SaveAsync(db, $"A model named '{model.Name}'", ct);
        return model;
    }

    public async Task<Model> UpdateAsync(Model model, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Models.Update(model);
        await StoreQueries.SaveAsync(db, $"A model named '{model.Name}'", ct);
        return model;
    }

    public async Task DeleteAsync(long id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Models.Where(m => m.Id == id).ExecuteDeleteAsync(ct);
    }

    public async Task<ModelUsage> GetUsageAsync(long id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return new ModelUsage(
            await db.Projects.Where(p => p.Models.Any(m => m.Id == id)).Select(p => p.Name).OrderBy(n => n).ToListAsync(ct),
            await db.Datasets.Where(d => d.ModelId == id).Select(d => d.Id).ToListAsync(ct),
            await db.ModelVersions.Where(v => v.ModelId == id).Select(v => v.Id).ToListAsync(ct),
            await db.Deployments.Where(d => d.ModelVersion!.ModelId == id).Select(d => d.Name).OrderBy(n => n).ToListAsync(ct));
    }
}
