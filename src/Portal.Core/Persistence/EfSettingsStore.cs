using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Persistence;

public sealed class EfSettingsStore(IDbContextFactory<PortalDbContext> factory) : ISettingsStore
{
    public async Task<PortalSetting?> FindAsync(string key, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Settings.AsNoTracking().SingleOrDefaultAsync(s => s.Key == key, ct);
    }

    public Task SaveAsync(PortalSetting setting, CancellationToken ct) => SaveAllAsync([setting], ct);

    public async Task SaveAllAsync(IReadOnlyCollection<PortalSetting> settings, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        foreach (var setting in settings)
        {
            var existing = await db.Settings.SingleOrDefaultAsync(s => s.Key == setting.Key, ct);
            if (existing is null) db.Settings.Add(setting);
            else (existing.Value, existing.UpdatedAt, existing.UpdatedBy) = (setting.Value, setting.UpdatedAt, setting.UpdatedBy);
        }
        // One SaveChanges is one transaction: a crash in the middle of an import leaves the settings as they were.
        await db.SaveChangesAsync(ct);
    }

    public async Task RemoveAsync(string key, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        // Through the change tracker, not a bulk delete, so the removal is audited like any change.
        if (await db.Settings.SingleOrDefaultAsync(s => s.Key == key, ct) is { } setting)
        {
            db.Settings.Remove(setting);
            await db.SaveChangesAsync(ct);
        }
    }
}
