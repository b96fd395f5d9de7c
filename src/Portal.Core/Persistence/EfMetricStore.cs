using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Persistence;

public sealed class EfMetricStore(IDbContextFactory<PortalDbContext> factory) : IMetricStore
{
    public async Task AddAsync(IReadOnlyList<MetricStep> points, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.MetricSteps.AddRange(points);
        await db.SaveChangesAsync(ct);
    }

    public async Task<int> CountAsync(long trainingId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.MetricSteps.CountAsync(m => m.TrainingId == trainingId, ct);
    }

    public async Task<IReadOnlyList<MetricStep>> SeriesAsync(long trainingId, CancellationToken ct) =>
        (await SeriesAsync([trainingId], ct)).GetValueOrDefault(trainingId) ?? [];

    public async Task<IReadOnlyDictionary<long, IReadOnlyList<MetricStep>>> SeriesAsync(IReadOnlyCollection<long> trainingIds, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var points = await db.MetricSteps.AsNoTracking().Where(m => trainingIds.Contains(m.TrainingId))
            .OrderBy(m => m.TrainingId).ThenBy(m => m.Name).ThenBy(m => m.Step).ThenBy(m => m.Id).ToListAsync(ct);
        return points.GroupBy(p => p.TrainingId).ToDictionary(
            t => t.Key, t => (IReadOnlyList<MetricStep>)[.. t.GroupBy(p => (p.Name, p.Step)).Select(g => g.Last())]);
    }
}
