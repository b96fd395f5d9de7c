using Portal.Core.Entities;

namespace Portal.Core.Stores;

public interface ISettingsStore
{
    Task<PortalSetting?> FindAsync(string key, CancellationToken ct);
    /// <summary>Creates or replaces the setting.</summary>
    Task SaveAsync(PortalSetting setting, CancellationToken ct);
    /// <summary>Creates or replaces every one of the settings in one transaction: all are saved, or none (an import).</summary>
    Task SaveAllAsync(IReadOnlyCollection<PortalSetting> settings, CancellationToken ct);
    Task RemoveAsync(string key, CancellationToken ct);
}
