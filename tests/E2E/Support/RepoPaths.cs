namespace Portal.Tests.E2E.Support;

public static class RepoPaths
{
    /// <summary>The repository root: the folder holding Portal.sln, above this test assembly.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Where the build put Portal.Web, in the same configuration as these tests.</summary>
    public static string WebOutput => Path.Combine(Root, "src", "Portal.Web", "bin", Configuration, "net10.0");

    private static string Configuration => AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Portal.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Portal.sln above {AppContext.BaseDirectory}.");
    }
}
