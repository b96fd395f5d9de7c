using Portal.Core.Entities;

namespace Portal.Core.Stores;

public interface ISettingsStore
{
    Task<PortalSetting?> FindAsync(string key, CancellationToken ct);
    /// <summary>Creates or replaces the setting.</summary>
    Task SaveAsync(PortalSetting setting, CancellationToken ct);
    Task RemoveAsync(string key, CancellationToken ct);
}
