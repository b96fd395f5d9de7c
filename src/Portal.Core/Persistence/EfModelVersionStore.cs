using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Persistence;

public sealed class EfModelVersionStore(IDbContextFactory<PortalDbContext> factory) : IModelVersionStore
{
    public async Task<Page<ModelVersion>> ListAsync(string? model, PageRequest request, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        IQueryable<ModelVersion> q = db.ModelVersions.AsNoTracking().Include(v => v.Model).Include(v => v.Training);
        if (model is not null) q = q.Where(v => v.Model!.Name == model);
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            var like = StoreQueries.LikePattern(request.Search);
            q = q.Where(v => EF.Functions.Like(StoreQueries.Lower(v.Name), like, "\\") || EF.Functions.Like(StoreQueries.Lower(v.Model!.Name), like, "\\") || EF.Functions.Like(StoreQueries.Lower((v.TrainingName ?? "")), like, "\\"));
        }
        q = request.SortBy switch
        {
            "name" => StoreQueries.Sort(q, v => v.Name, request.Descending),
            "model" => StoreQueries.Sort(q, v => v.Model!.Name, request.Descending).ThenByDescending(v => v.Id),
            _ => request.SortBy is null ? q.OrderByDescending(v => v.Id) : StoreQueries.Sort(q, v => v.Id, request.Descending),
        };
        return await StoreQueries.PageAsync(q, request, ct);
    }

    public async Task<IReadOnlyList<ModelVersion>> ListForModelsAsync(IReadOnlyCollection<string> models, int take, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.ModelVersions.AsNoTracking().Include(v => v.Model).Where(v => models.Contains(v.Model!.Name))
            .OrderByDescending(v => v.Id).Take(take).ToListAsync(ct);
    }

    public async Task<ModelVersion?> FindAsync(string model, string name, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.ModelVersions.AsNoTracking()
            .Include(v => v.Model).Include(v => v.Training).ThenInclude(t => t!.Project).Include(v => v.Dataset)
            .Include(v => v.Pretrained).ThenInclude(p => p!.Model).Include(v => v.BuildVersion)
            .SingleOrDefaultAsync(v => v.Model!.Name == model && v.Name == name, ct);
    }

    public async Task<IReadOnlyList<ModelVersion>> ListByTrainingAsync(long trainingId, CancellationToken ct) =>
        [.. (await ListByTrainingsAsync([trainingId], ct))[trainingId]];

    public async Task<ILookup<long, ModelVersion>> ListByTrainingsAsync(IReadOnlyCollection<long> trainingIds, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var versions = await db.ModelVersions.AsNoTracking().Include(v => v.Model)
            .Where(v => v.TrainingId != null && trainingIds.Contains(v.TrainingId.Value)).OrderBy(v => v.Id).ToListAsync(ct);
        return versions.ToLookup(v => v.TrainingId!.Value);
    }

    public async Task<IReadOnlyList<string>> NamesAsync(long modelId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.ModelVersions.Where(v => v.ModelId == modelId).Select(v => v.Name).ToListAsync(ct);
    }

    public async Task<IReadOnlySet<long>> IdsAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return (await db.ModelVersions.Select(v => v.Id).ToListAsync(ct)).ToHashSet();
    }

    public async Task<ModelVersion> AddAsync(ModelVersion version, Func<long, CancellationToken, Task> placeFiles, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var (model, training, dataset, pretrained, build) = (version.Model, version.Training, version.Dataset, version.Pretrained, version.BuildVersion);
        (version.Model, version.Training, version.Dataset, version.Pretrained, version.BuildVersion) = (null, null, null, null, null);
        db.ModelVersions.Add(version);
        try { await StoreQueries.SaveAsync(db, $"A version named '{version.Name}'", ct); }
        finally { (version.Model, version.Training, version.Dataset, version.Pretrained, version.BuildVersion) = (model, training, dataset, pretrained, build); }
        await placeFiles(version.Id, ct);
        await tx.CommitAsync(ct);
        return version;
    }

    public async Task SetPromotionsAsync(long id, IReadOnlyList<Promotion> promotions, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var version = await db.ModelVersions.SingleAsync(v => v.Id == id, ct);
        version.Promotions = [.. promotions];
        await db.SaveChangesAsync(ct);
    }

    public async Task DeleteAsync(long id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.ModelVersions.Where(v => v.Id == id).ExecuteDeleteAsync(ct);
    }

    public async Task<IReadOnlyList<string>> DeploymentsUsingAsync(long id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Deployments.Where(d => d.ModelVersionId == id).Select(d => d.Name).OrderBy(n => n).ToListAsync(ct);
    }

    public async Task<IReadOnlyDictionary<string, int>> PromotionCountsAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var promotions = await db.ModelVersions.AsNoTracking().Select(v => v.Promotions).ToListAsync(ct);
        return promotions.SelectMany(p => p.Select(x => x.Environment).Distinct()).GroupBy(e => e).ToDictionary(g => g.Key, g => g.Count());
    }
}
