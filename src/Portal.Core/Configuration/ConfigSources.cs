namespace Portal.Core.Configuration;

/// <summary>
/// What the loader reads: the working and home directories (for portal.yaml resolution), an optional
/// explicit file that replaces that resolution, and the environment. Tests pass their own.
/// </summary>
public sealed record ConfigSources(string WorkingDirectory, string HomeDirectory, IReadOnlyDictionary<string, string?> Environment, string? ExplicitFile = null)
{
    public const string VariablePrefix = "PORTAL__";

    public static ConfigSources FromProcess(string? explicitFile = null) => new(
        Directory.GetCurrentDirectory(),
        System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile),
        System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value),
        explicitFile);
}
