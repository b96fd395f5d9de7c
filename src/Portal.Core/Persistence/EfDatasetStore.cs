using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Persistence;

public sealed class EfDatasetStore(IDbContextFactory<PortalDbContext> factory) : IDatasetStore
{
    public async Task<Dataset?> NewestAsync(string modelName, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Datasets.AsNoTracking().Include(d => d.Model).Where(d => d.Model!.Name == modelName && d.Stored)
            .OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).FirstOrDefaultAsync(ct);
    }

    public async Task<Page<Dataset>> ListAsync(string? modelName, PageRequest request, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        IQueryable<Dataset> q = db.Datasets.AsNoTracking().Include(d => d.Model);
        if (modelName is not null) q = q.Where(d => d.Model!.Name == modelName);
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            var like = StoreQueries.LikePattern(request.Search);
            q = q.Where(d => EF.Functions.Like(StoreQueries.Lower(d.Name), like, "\\") || EF.Functions.Like(StoreQueries.Lower(d.Model!.Name), like, "\\"));
        }
        q = request.SortBy switch
        {
            "created_at" => StoreQueries.Sort(q, d => d.CreatedAt, request.Descending).ThenBy(d => d.Name),
            "model" => StoreQueries.Sort(q, d => d.Model!.Name, request.Descending).ThenBy(d => d.Name),
            _ => StoreQueries.Sort(q, d => d.Name, request.Descending),
        };
        return await StoreQueries.PageAsync(q, request, ct);
    }

    public async Task<Dataset?> FindAsync(string modelName, string name, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Datasets.AsNoTracking().Include(d => d.Model)
            .SingleOrDefaultAsync(d => d.Model!.Name == modelName && d.Name == name, ct);
    }

    public async Task<Dataset> AddAsync(Dataset dataset, Func<long, CancellationToken, Task> placeFiles, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var model = dataset.Model;
        dataset.Model = null;
        db.Datasets.Add(dataset);
        try { await StoreQueries.SaveAsync(db, $"A dataset named '{dataset.Name}'", ct); }
        finally { dataset.Model = model; }
        await placeFiles(dataset.Id, ct);
        await tx.CommitAsync(ct);
        return dataset;
    }

    public async Task<IReadOnlySet<long>> IdsAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return (await db.Datasets.Select(d => d.Id).ToListAsync(ct)).ToHashSet();
    }

    public async Task<Dataset> UpdateAsync(Dataset dataset, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var model = dataset.Model;
        dataset.Model = null;
        db.Datasets.Update(dataset);
        await StoreQueries.SaveAsync(db, $"A dataset named '{dataset.Name}'", ct);
        dataset.Model = model;
        return dataset;
    }

    public async Task DeleteAsync(long id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Datasets.Where(d => d.Id == id).ExecuteDeleteAsync(ct);
    }
}
