using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Persistence;

public sealed class EfTrainingStore(IDbContextFactory<PortalDbContext> factory) : ITrainingStore
{
    public async Task<Page<Training>> ListAsync(string? projectName, TrainingKind? kind, PageRequest request, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        IQueryable<Training> q = db.Trainings.AsNoTracking().Include(t => t.Project);
        if (projectName is not null) q = q.Where(t => t.Project!.Name == projectName);
        if (kind is not null) q = q.Where(t => t.Kind == kind);
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            var like = StoreQueries.LikePattern(request.Search);
            q = q.Where(t => EF.Functions.Like(StoreQueries.Lower(t.Name), like, "\\") || EF.Functions.Like(StoreQueries.Lower(t.Project!.Name), like, "\\") || EF.Functions.Like(StoreQueries.Lower(t.Notebook), like, "\\"));
        }
        q = request.SortBy switch
        {
            "name" => StoreQueries.Sort(q, t => t.Name, request.Descending),
            "state" => StoreQueries.Sort(q, t => t.Task.State, request.Descending).ThenByDescending(t => t.CreatedAt),
            _ => StoreQueries.Sort(q, t => t.CreatedAt, request.SortBy is null || request.Descending),
        };
        return await StoreQueries.PageAsync(q, request, ct);
    }

    public async Task<Training?> FindAsync(string projectName, string name, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Trainings.AsNoTracking().Include(t => t.Project).SingleOrDefaultAsync(t => t.Project!.Name == projectName && t.Name == name, ct);
    }

    public async Task<IReadOnlyList<Training>> FindManyAsync(IReadOnlyCollection<(string Project, string Name)> names, CancellationToken ct)
    {
        var trainingNames = names.Select(n => n.Name).Distinct().ToList();
        var projectNames = names.Select(n => n.Project).Distinct().ToList();
        await using var db = await factory.CreateDbContextAsync(ct);
        // Narrowed in SQL by both name lists, then matched by pair (a tuple list does not translate).
        var candidates = await db.Trainings.AsNoTracking().Include(t => t.Project)
            .Where(t => trainingNames.Contains(t.Name) && projectNames.Contains(t.Project!.Name)).ToListAsync(ct);
        return [.. candidates.Where(t => names.Contains((t.Project!.Name, t.Name)))];
    }

    public async Task<Training?> GetAsync(long id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Trainings.AsNoTracking().Include(t => t.Project).SingleOrDefaultAsync(t => t.Id == id, ct);
    }

    public async Task<Training?> FindByTokenHashAsync(string tokenHash, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Trainings.AsNoTracking().Include(t => t.Project).SingleOrDefaultAsync(t => t.TaskTokenHash == tokenHash, ct);
    }

    public async Task<IReadOnlyList<Training>> ListActiveAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Trainings.AsNoTracking().Include(t => t.Project)
            .Where(t => t.Task.State == TaskState.Waiting || t.Task.State == TaskState.Running).ToListAsync(ct);
    }

    public async Task<IReadOnlyList<Training>> ListBySweepAsync(long sweepId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Trainings.AsNoTracking().Include(t => t.Project).Where(t => t.SweepId == sweepId).OrderBy(t => t.Id).ToListAsync(ct);
    }

    public async Task<IReadOnlyList<Training>> ListByScheduleAsync(long scheduleId, int take, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Trainings.AsNoTracking().Include(t => t.Project).Where(t => t.ScheduleId == scheduleId)
            .OrderByDescending(t => t.Id).Take(take).ToListAsync(ct);
    }

    public async Task<Training> AddAsync(Training training, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var project = training.Project;
        training.Project = null;
        db.Trainings.Add(training);
        await StoreQueries.SaveAsync(db, $"A training named '{training.Name}' in this project", ct);
        training.Project = project;
        return training;
    }

    public async Task<Training> MutateAsync(long id, Action<Training> change, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var training = await db.Trainings.Include(t => t.Project).SingleAsync(t => t.Id == id, ct);
        change(training);
        await db.SaveChangesAsync(ct);
        return training;
    }
}
