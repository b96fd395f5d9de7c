using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Persistence;

public sealed class EfProjectStore(IDbContextFactory<PortalDbContext> factory) : IProjectStore
{
    public async Task<Page<Project>> ListAsync(PageRequest request, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        IQueryable<Project> q = db.Projects.AsNoTracking().Include(p => p.Models);
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            var like = StoreQueries.LikePattern(request.Search);
            q = q.Where(p => EF.Functions.Like(StoreQueries.Lower(p.Name), like, "\\") || EF.Functions.Like(StoreQueries.Lower((p.Desc ?? "")), like, "\\"));
        }
        q = request.SortBy switch
        {
            "created_at" => StoreQueries.Sort(q, p => p.CreatedAt, request.Descending).ThenBy(p => p.Name),
            "updated_at" => StoreQueries.Sort(q, p => p.UpdatedAt, request.Descending).ThenBy(p => p.Name),
            _ => StoreQueries.Sort(q, p => p.Name, request.Descending),
        };
        return await StoreQueries.PageAsync(q, request, ct);
    }

    public async Task<Project?> FindAsync(string name, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Projects.AsNoTracking().Include(p => p.Models).SingleOrDefaultAsync(p => p.Name == name, ct);
    }

    public async Task<Project> AddAsync(Project project, IReadOnlyCollection<long> modelIds, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var entity = Copy(project, new Project());
        entity.Models = await db.Models.Where(m => modelIds.Contains(m.Id)).ToListAsync(ct);
        db.Projects.Add(entity);
        await StoreQueries.SaveAsync(db, $"A project named '{project.Name}'", ct);
        return entity;
    }

    public async Task<Project> UpdateAsync(Project project, IReadOnlyCollection<long> modelIds, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var entity = await db.Projects.Include(p => p.Models).SingleAsync(p => p.Id == project.Id, ct);
        Copy(project, entity);
        entity.Models.RemoveAll(m => !modelIds.Contains(m.Id));
        var missing = modelIds.Except(entity.Models.Select(m => m.Id)).ToList();
        entity.Models.AddRange(await db.Models.Where(m => missing.Contains(m.Id)).ToListAsync(ct));
        await StoreQueries.SaveAsync(db, $"A project named '{project.Name}'", ct);
        return entity;
    }

    public async Task DeleteAsync(long id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Projects.Where(p => p.Id == id).ExecuteDeleteAsync(ct);
    }

    public async Task<ProjectUsage> GetUsageAsync(long id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return new ProjectUsage(
            await db.BuildVersions.CountAsync(b => b.ProjectId == id, ct),
            await db.Trainings.CountAsync(t => t.ProjectId == id, ct),
            await db.Deployments.CountAsync(d => d.ProjectId == id, ct));
    }

    private static Project Copy(Project from, Project to)
    {
        to.Name = from.Name;
        to.Desc = from.Desc;
        to.HomeDir = from.HomeDir;
        to.GitRepo = from.GitRepo;
        to.DockerRepo = from.DockerRepo;
        to.CreatedAt = from.CreatedAt;
        to.UpdatedAt = from.UpdatedAt;
        return to;
    }
}
