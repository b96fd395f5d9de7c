namespace Portal.Core.Configuration;

/// <summary>Absolute locations derived from the configuration (with <c>~</c> expanded).</summary>
public sealed record PortalPaths(string DataDir, string DatabaseFile, string FileStoreRoot)
{
    public static PortalPaths From(PortalConfig config, string homeDirectory)
    {
        var dataDir = Expand(config.Store.DataDir, homeDirectory);
        var files = string.IsNullOrWhiteSpace(config.FileStore.Path) ? Path.Combine(dataDir, "files") : Expand(config.FileStore.Path, homeDirectory);
        return new PortalPaths(dataDir, Path.Combine(dataDir, config.Store.Database), files);
    }

    private static string Expand(string path, string home) =>
        Path.GetFullPath(path == "~" ? home : path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, path[2..]) : path);
}
