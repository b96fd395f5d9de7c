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

    public async Task<bool> AttachFeedbackAsync(long deploymentId, string requestId, string feedback, DateTime at, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Predictions.Where(p => p.DeploymentId == deploymentId && p.RequestId == requestId)
            .ExecuteUpdateAsync(u => u.SetProperty(p => p.Feedback, feedback).SetProperty(p => p.FeedbackAt, at), ct) > 0;
    }

    public async Task<IReadOnlyList<PredictionRecord>> RecentAsync(long deploymentId, int take, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Predictions.AsNoTracking().Where(p => p.DeploymentId == deploymentId).OrderByDescending(p => p.Id).Take(take).ToListAsync(ct);
    }

    public async Task<PredictionRecord?> FindAsync(string requestId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Predictions.AsNoTracking().SingleOrDefaultAsync(p => p.RequestId == requestId, ct);
    }
}
