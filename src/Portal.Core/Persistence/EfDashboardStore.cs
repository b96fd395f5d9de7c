using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Dashboards;
using Portal.Core.Stores;

namespace Portal.Core.Persistence;

public sealed class EfDashboardStore(IDbContextFactory<PortalDbContext> factory) : IDashboardStore
{
    public async Task<IReadOnlyList<TrainingFact>> TrainingsAsync(DateTime from, DateTime until, string? project, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = db.Trainings.AsNoTracking().Where(t => t.CreatedAt >= from && t.CreatedAt < until);
        if (project is not null) q = q.Where(t => t.Project!.Name == project);
        return (await q.Select(t => new { Project = t.Project!.Name, t.Task.State, t.CreatedAt, t.Task.StartTime, t.Task.UpdateTime, t.ResourceProfile }).ToListAsync(ct))
            .Select(t => new TrainingFact(t.Project, t.State, t.CreatedAt, t.StartTime, t.UpdateTime, t.ResourceProfile)).ToList();
    }

    public async Task<IReadOnlyList<IdeFact>> IdeSessionsAsync(DateTime from, DateTime until, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.IdeSessions.AsNoTracking()
            .Where(s => s.Task.StartTime != null && s.Task.StartTime < until && (s.Task.State == TaskState.Running || s.Task.UpdateTime >= from))
            .Select(s => new { s.User, s.ResourceProfile, s.Task.State, s.Task.StartTime, s.Task.UpdateTime }).ToListAsync(ct);
        return rows.Select(s => new IdeFact(s.User, s.ResourceProfile, s.State, s.StartTime, s.UpdateTime)).ToList();
    }

    public async Task<IReadOnlyList<VersionMetricFact>?> VersionsAsync(string model, int take, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (!await db.Models.AnyAsync(m => m.Name == model, ct)) return null;
        var rows = await db.ModelVersions.AsNoTracking().Where(v => v.Model!.Name == model).OrderByDescending(v => v.Id).Take(take)
            .Select(v => new { v.Name, v.CreatedAt, v.TrainingName, v.Details, v.Promotions }).ToListAsync(ct);
        return rows.OrderBy(v => v.CreatedAt)
            .Select(v => new VersionMetricFact(v.Name, v.CreatedAt, v.TrainingName, v.Details, v.Promotions.Select(p => p.Environment).ToList())).ToList();
    }

    public async Task<IReadOnlyList<TrafficFact>> TrafficAsync(DateTime from, DateTime until, string? project, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var deployments = db.Deployments.AsNoTracking();
        if (project is not null) deployments = deployments.Where(d => d.Project!.Name == project);
        var list = await deployments.OrderBy(d => d.Name)
            .Select(d => new { d.Id, d.Name, Project = d.Project!.Name, d.Environment, d.ModelVersionName, d.Replicas, d.ResourceProfile }).ToListAsync(ct);
        var counts = await db.Predictions.AsNoTracking().Where(p => p.At >= from && p.At < until)
            .GroupBy(p => p.DeploymentId)
            .Select(g => new { Id = g.Key, Requests = g.Count(), Errors = g.Count(p => p.Status >= 400) })
            .ToDictionaryAsync(g => g.Id, ct);
        var facts = new List<TrafficFact>(list.Count);
        foreach (var d in list)
        {
            var c = counts.GetValueOrDefault(d.Id);
            double? p50 = null, p99 = null;
            if (c is { Requests: > 0 })
            {
                // Nearest-rank percentiles read by the (deployment, time) index, without loading every latency.
                var window = db.Predictions.AsNoTracking().Where(p => p.DeploymentId == d.Id && p.At >= from && p.At < until).OrderBy(p => p.LatencyMs).Select(p => p.LatencyMs);
                p50 = await window.Skip(Rank(0.5, c.Requests)).FirstAsync(ct);
                p99 = await window.Skip(Rank(0.99, c.Requests)).FirstAsync(ct);
            }
            facts.Add(new TrafficFact(d.Name, d.Project, d.Environment, d.ModelVersionName, d.Replicas, d.ResourceProfile, c?.Requests ?? 0, c?.Errors ?? 0, p50, p99));
        }
        return facts;
    }

    private static int Rank(double p, int count) => Math.Clamp((int)Math.Ceiling(p * count) - 1, 0, count - 1);
}
