using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Persistence;

public sealed class EfAuditStore(IDbContextFactory<PortalDbContext> factory) : IAuditStore
{
    public async Task AppendAsync(AuditEvent e, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.AuditEvents.Add(e);
        await db.SaveChangesAsync(ct);
    }

    public async Task<Page<AuditEvent>> QueryAsync(AuditQuery query, PageRequest page, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = db.AuditEvents.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Actor)) q = q.Where(e => e.Actor == query.Actor.Trim());
        if (!string.IsNullOrWhiteSpace(query.Action)) { var like = StoreQueries.LikePattern(query.Action); q = q.Where(e => EF.Functions.Like(StoreQueries.Lower(e.Action), like, "\\")); }
        if (!string.IsNullOrWhiteSpace(query.Target)) { var like = StoreQueries.LikePattern(query.Target); q = q.Where(e => EF.Functions.Like(StoreQueries.Lower((e.Target ?? "")), like, "\\")); }
        if (query.Outcome is { } outcome) q = q.Where(e => e.Outcome == outcome);
        if (query.From is { } from) q = q.Where(e => e.At >= from);
        if (query.To is { } to) q = q.Where(e => e.At < to);
        if (!string.IsNullOrWhiteSpace(page.Search))
        {
            var like = StoreQueries.LikePattern(page.Search);
            q = q.Where(e => EF.Functions.Like(StoreQueries.Lower(e.Action), like, "\\") || EF.Functions.Like(StoreQueries.Lower((e.Target ?? "")), like, "\\") || EF.Functions.Like(StoreQueries.Lower(e.Actor), like, "\\"));
        }
        return await StoreQueries.PageAsync(q.OrderByDescending(e => e.Id), page, ct);
    }
}
