using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Persistence;

public sealed class EfWebhookStore(IDbContextFactory<PortalDbContext> factory) : IWebhookStore
{
    public async Task<IReadOnlyList<Webhook>> ListAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Webhooks.AsNoTracking().OrderBy(w => w.Name).ToListAsync(ct);
    }

    public async Task<Webhook?> FindAsync(string name, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Webhooks.AsNoTracking().SingleOrDefaultAsync(w => w.Name == name, ct);
    }

    public async Task<Webhook> AddAsync(Webhook webhook, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Webhooks.Add(webhook);
        await StoreQueries.SaveAsync(db, $"A webhook named '{webhook.Name}'", ct);
        return webhook;
    }

    public async Task<Webhook> MutateAsync(long id, Action<Webhook> change, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var webhook = await db.Webhooks.SingleAsync(w => w.Id == id, ct);
        change(webhook);
        await StoreQueries.SaveAsync(db, $"A webhook named '{webhook.Name}'", ct);
        return webhook;
    }

    public async Task DeleteAsync(long id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await db.Webhooks.SingleOrDefaultAsync(w => w.Id == id, ct) is not { } webhook) return;
        // Through the tracker, so the removal is audited; its deliveries go with it (cascade).
        db.Webhooks.Remove(webhook);
        await db.SaveChangesAsync(ct);
    }

    public async Task AddDeliveriesAsync(IReadOnlyCollection<WebhookDelivery> deliveries, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.WebhookDeliveries.AddRange(deliveries);
        await db.SaveChangesAsync(ct);
    }

    public async Task<IReadOnlyList<WebhookDelivery>> DueAsync(DateTime now, int take, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.State == DeliveryState.Pending && (d.NextAttemptAt == null || d.NextAttemptAt <= now))
            .OrderBy(d => d.Id).Take(take).ToListAsync(ct);
    }

    public async Task<DateTime?> NextDueAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var pending = db.WebhookDeliveries.Where(d => d.State == DeliveryState.Pending);
        if (await pending.AnyAsync(d => d.NextAttemptAt == null, ct)) return DateTime.MinValue;
        return await pending.MinAsync(d => d.NextAttemptAt, ct);
    }

    public async Task SaveDeliveryAsync(WebhookDelivery delivery, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.WebhookDeliveries.Update(delivery);
        try { await db.SaveChangesAsync(ct); }
        // The webhook was removed meanwhile, and its deliveries with it.
        catch (DbUpdateConcurrencyException) { }
    }

    public async Task<Page<WebhookDelivery>> DeliveriesAsync(long webhookId, PageRequest request, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == webhookId).OrderByDescending(d => d.Id);
        return await StoreQueries.PageAsync(q, request, ct);
    }
}
