using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Persistence;

public sealed class EfPredictionStore(IDbContextFactory<PortalDbContext> factory) : IPredictionStore
{
    public async Task AddAsync(IReadOnlyCollection<PredictionRecord> records, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Predictions.AddRange(records);
        await db.SaveChangesAsync(ct);
    }

    public async Task<bool> AttachFeedbackAsync(IReadOnlyCollection<long> deploymentIds, string requestId, string feedback, DateTime at, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Predictions.Where(p => deploymentIds.Contains(p.DeploymentId) && p.RequestId == requestId)
            .ExecuteUpdateAsync(u => u.SetProperty(p => p.Feedback, feedback).SetProperty(p => p.FeedbackAt, at), ct) > 0;
    }

    public async Task<IReadOnlyList<TrafficRow>> TrafficAsync(IReadOnlyCollection<string> routes, DateTime since, CancellationToken ct)
    {
        if (routes.Count == 0) return [];
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await (from p in db.Predictions
                          where p.At >= since && p.Route != null && routes.Contains(p.Route)
                          join d in db.Deployments on p.DeploymentId equals d.Id
                          group p by new { d.Name, p.Route, p.Shadow } into g
                          select new { g.Key.Name, g.Key.Route, g.Key.Shadow, Count = g.Count(), Errors = g.Count(p => p.Status >= 400), Mean = g.Average(p => p.LatencyMs) })
            .ToListAsync(ct);
        return [.. rows.Select(r => new TrafficRow(r.Name, r.Route, r.Shadow, r.Count, r.Errors, r.Mean))];
    }

    public async Task<IReadOnlyList<PredictionRecord>> LabelledAsync(long deploymentId, DateTime since, int take, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Predictions.AsNoTracking().Where(p => p.DeploymentId == deploymentId && p.At >= since && p.Feedback != null)
            .OrderByDescending(p => p.At).Take(take)
            .Select(p => new PredictionRecord { At = p.At, ModelVersion = p.ModelVersion, Response = p.Response, Feedback = p.Feedback })
            .ToListAsync(ct);
    }

    public async Task<IReadOnlyList<PredictionRecord>> RecentAsync(long deploymentId, int take, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Predictions.AsNoTracking().Where(p => p.DeploymentId == deploymentId).OrderByDescending(p => p.Id).Take(take).ToListAsync(ct);
    }
}
