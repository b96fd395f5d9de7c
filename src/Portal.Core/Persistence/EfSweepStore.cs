using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Persistence;

public sealed class EfSweepStore(IDbContextFactory<PortalDbContext> factory) : ISweepStore
{
    public async Task<Page<Sweep>> ListAsync(string? projectName, PageRequest request, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        IQueryable<Sweep> q = db.Sweeps.AsNoTracking().Include(s => s.Project);
        if (projectName is not null) q = q.Where(s => s.Project!.Name == projectName);
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            var like = StoreQueries.LikePattern(request.Search);
            q = q.Where(s => EF.Functions.Like(StoreQueries.Lower(s.Name), like, "\\") || EF.Functions.Like(StoreQueries.Lower(s.Project!.Name), like, "\\"));
        }
        return await StoreQueries.PageAsync(q.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id), request, ct);
    }

    public async Task<Sweep?> FindAsync(string projectName, string name, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Sweeps.AsNoTracking().Include(s => s.Project).SingleOrDefaultAsync(s => s.Project!.Name == projectName && s.Name == name, ct);
    }

    public async Task<Sweep?> GetAsync(long id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Sweeps.AsNoTracking().Include(s => s.Project).SingleOrDefaultAsync(s => s.Id == id, ct);
    }

    public async Task<IReadOnlyList<Sweep>> ListRunningAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Sweeps.AsNoTracking().Include(s => s.Project).Where(s => s.State == SweepState.Running).ToListAsync(ct);
    }

    public async Task<Sweep> AddAsync(Sweep sweep, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var project = sweep.Project;
        sweep.Project = null;
        db.Sweeps.Add(sweep);
        await StoreQueries.SaveAsync(db, $"A sweep named '{sweep.Name}' in this project", ct);
        sweep.Project = project;
        return sweep;
    }

    public async Task<Sweep> MutateAsync(long id, Action<Sweep> change, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var sweep = await db.Sweeps.Include(s => s.Project).SingleAsync(s => s.Id == id, ct);
        change(sweep);
        await StoreQueries.SaveAsync(db, $"A sweep named '{sweep.Name}' in this project", ct);
        return sweep;
    }
}
