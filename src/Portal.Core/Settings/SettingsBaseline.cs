using Portal.Core.Configuration;

namespace Portal.Core.Settings;

/// <summary>
/// What the running portal started with: <see cref="File"/> is portal.yaml (with defaults and variables) before saved
/// settings, which a reset goes back to; <see cref="Running"/> includes them, which start-up-only fields keep until a restart.
/// </summary>
public sealed record SettingsBaseline(PortalConfig File, PortalConfig Running, IReadOnlyList<string> Problems)
{
    /// <summary>Applies <paramref name="stored"/> to <paramref name="config"/> and remembers both states.</summary>
    public static SettingsBaseline Start(PortalConfig config, IReadOnlyDictionary<string, string> stored)
    {
        var file = SettingsSections.CopyAll(config);
        var problems = StoredSettings.Apply(config, stored);
        return new SettingsBaseline(file, SettingsSections.CopyAll(config), problems);
    }
}
