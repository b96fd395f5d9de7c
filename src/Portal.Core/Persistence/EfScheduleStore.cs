using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Persistence;

public sealed class EfScheduleStore(IDbContextFactory<PortalDbContext> factory) : IScheduleStore
{
    public async Task<Page<TrainingSchedule>> ListAsync(string? projectName, PageRequest request, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        IQueryable<TrainingSchedule> q = db.Schedules.AsNoTracking().Include(s => s.Project);
        if (projectName is not null) q = q.Where(s => s.Project!.Name == projectName);
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            var like = StoreQueries.LikePattern(request.Search);
            q = q.Where(s => EF.Functions.Like(StoreQueries.Lower(s.Name), like, "\\") || EF.Functions.Like(StoreQueries.Lower(s.Project!.Name), like, "\\"));
        }
        return await StoreQueries.PageAsync(q.OrderBy(s => s.Project!.Name).ThenBy(s => s.Name), request, ct);
    }

    public async Task<TrainingSchedule?> FindAsync(string projectName, string name, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Schedules.AsNoTracking().Include(s => s.Project).SingleOrDefaultAsync(s => s.Project!.Name == projectName && s.Name == name, ct);
    }

    public async Task<TrainingSchedule?> GetAsync(long id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Schedules.AsNoTracking().Include(s => s.Project).SingleOrDefaultAsync(s => s.Id == id, ct);
    }

    public async Task<IReadOnlyList<TrainingSchedule>> ListActiveAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Schedules.AsNoTracking().Include(s => s.Project).Where(s => !s.Paused).ToListAsync(ct);
    }

    public async Task<TrainingSchedule> AddAsync(TrainingSchedule schedule, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var project = schedule.Project;
        schedule.Project = null;
        db.Schedules.Add(schedule);
        await StoreQueries.SaveAsync(db, $"A schedule named '{schedule.Name}' in this project", ct);
        schedule.Project = project;
        return schedule;
    }

    public async Task<TrainingSchedule> MutateAsync(long id, Action<TrainingSchedule> change, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var schedule = await db.Schedules.Include(s => s.Project).SingleAsync(s => s.Id == id, ct);
        change(schedule);
        await StoreQueries.SaveAsync(db, $"A schedule named '{schedule.Name}' in this project", ct);
        return schedule;
    }

    public async Task DeleteAsync(long id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var schedule = await db.Schedules.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (schedule is null) return;
        // Removed through the tracker, not ExecuteDelete, so the audit row is written with it.
        db.Schedules.Remove(schedule);
        await db.SaveChangesAsync(ct);
    }
}
