using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Persistence;

public sealed class EfDeploymentStore(IDbContextFactory<PortalDbContext> factory) : IDeploymentStore
{
    private static IQueryable<Deployment> Loaded(PortalDbContext db) => db.Deployments.AsNoTracking()
        .Include(d => d.Project).Include(d => d.ModelVersion).ThenInclude(v => v!.Model).Include(d => d.BuildVersion).Include(d => d.Package);

    public async Task<Page<Deployment>> ListAsync(PageRequest request, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = Loaded(db);
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            var like = StoreQueries.LikePattern(request.Search);
            q = q.Where(d => EF.Functions.Like(StoreQueries.Lower(d.Name), like, "\\") || EF.Functions.Like(StoreQueries.Lower(d.Project!.Name), like, "\\") || EF.Functions.Like(StoreQueries.Lower((d.ModelVersionName ?? "")), like, "\\"));
        }
        q = request.SortBy == "name" ? StoreQueries.Sort(q, d => d.Name, request.Descending) : q.OrderByDescending(d => d.Id);
        return await StoreQueries.PageAsync(q, request, ct);
    }

    public async Task<Deployment?> FindAsync(string name, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await Loaded(db).SingleOrDefaultAsync(d => d.Name == name, ct);
    }

    public async Task<Deployment> AddAsync(Deployment deployment, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var (project, version, build, package) = (deployment.Project, deployment.ModelVersion, deployment.BuildVersion, deployment.Package);
        (deployment.Project, deployment.ModelVersion, deployment.BuildVersion, deployment.Package) = (null, null, null, null);
        db.Deployments.Add(deployment);
        try { await StoreQueries.SaveAsync(db, $"A deployment named '{deployment.Name}'", ct); }
        finally { (deployment.Project, deployment.ModelVersion, deployment.BuildVersion, deployment.Package) = (project, version, build, package); }
        return deployment;
    }

    public async Task<Deployment> MutateAsync(long id, Action<Deployment> change, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var deployment = await db.Deployments.SingleAsync(d => d.Id == id, ct);
        change(deployment);
        await StoreQueries.SaveAsync(db, $"A deployment named '{deployment.Name}'", ct);
        return (await Loaded(db).SingleAsync(d => d.Id == id, ct));
    }

    public async Task DeleteAsync(long id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Deployments.Where(d => d.Id == id).ExecuteDeleteAsync(ct);
    }

    public async Task<string?> ServingPackageAsync(long packageId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Deployments.Where(d => d.PackageId == packageId).OrderBy(d => d.Id).Select(d => d.Name).FirstOrDefaultAsync(ct);
    }

    public async Task<IReadOnlyList<Deployment>> SleepCandidatesAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Deployments.AsNoTracking().Where(d => d.IdleMinutes != null && !d.Sleeping && d.Replicas > 0 && d.WorkloadId != null).ToListAsync(ct);
    }

    public async Task<IReadOnlyDictionary<string, int>> EnvironmentCountsAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Deployments.GroupBy(d => d.Environment).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
    }
}
