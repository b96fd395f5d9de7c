using Microsoft.Data.Sqlite;
using Portal.Core.Configuration;
using Portal.Core.Persistence;

namespace Portal.Core.Settings;

/// <summary>
/// Settings saved in the portal take precedence over portal.yaml. They are read from the metadata store before the
/// portal composes its services, since some of them (the container manager's type) decide what gets composed.
/// </summary>
public static class StoredSettings
{
    /// <summary>The stored section texts, by section; none when the store does not exist yet.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ReadAsync(MetadataStore store, CancellationToken ct)
    {
        var found = new Dictionary<string, string>();
        // Opening a SQLite file that is not there would create it: a portal that never ran has nothing saved.
        if (!store.IsPostgres && !File.Exists(new SqliteConnectionStringBuilder(store.ConnectionString).DataSource)) return found;
        await using var connection = await store.OpenAsync(ct);
        if (!await store.HasTableAsync(connection, "settings", ct)) return found;
        await using var read = connection.CreateCommand();
        read.CommandText = "SELECT \"Key\", \"Value\" FROM settings WHERE \"Key\" LIKE 'config.%'";
        await using var rows = await read.ExecuteReaderAsync(ct);
        while (await rows.ReadAsync(ct))
        {
            var section = rows.GetString(0)["config.".Length..];
            if (SettingsSections.All.Contains(section)) found[section] = rows.GetString(1);
        }
        return found;
    }

    /// <summary>
    /// Lays the stored sections over <paramref name="config"/>. A section that no longer reads (written by another
    /// version of the portal) is left out and reported, so the portal still starts and an admin can fix it in Settings.
    /// </summary>
    public static IReadOnlyList<string> Apply(PortalConfig config, IReadOnlyDictionary<string, string> stored)
    {
        var problems = new List<string>();
        foreach (var (section, yaml) in stored)
        {
            try { SettingsSections.Assign(config, SettingsSections.Parse(yaml, $"setting {SettingsSections.Key(section)}"), section); }
            catch (ConfigException e) { problems.Add($"The saved setting '{section}' was ignored: {e.Message}"); }
        }
        return problems;
    }
}
