using Portal.Core.Builds;
using Portal.Core.Entities;
using Portal.Core.Errors;

namespace Portal.Core.Deployments;

/// <summary>
/// The rules for a model's prediction code (a module with load/predict, or a notebook defining predict), shared by
/// deployments and packages: its shape, and where it is read from (the home directory, or a build's image).
/// </summary>
public static class PredictionCode
{
    /// <summary>Null when <paramref name="entry"/> can be prediction code (found in <paramref name="homeDir"/> when one is given); else what is wrong.</summary>
    public static string? EntryProblem(string? homeDir, string entry)
    {
        if (entry.Length == 0) return "Name the prediction code, e.g. predict.py (load/predict) or predict.ipynb.";
        if (!entry.EndsWith(".py", StringComparison.Ordinal) && !entry.EndsWith(".ipynb", StringComparison.Ordinal)) return $"'{entry}' must be a .py module or an .ipynb notebook.";
        if (entry.StartsWith('/') || entry.Split('/').Any(s => s is ".." or "")) return $"'{entry}' must be a path inside the project.";
        if (homeDir is null) return null;
        return File.Exists(Path.Combine(homeDir, entry)) ? null : $"There is no '{entry}' in the project's home directory ({homeDir}).";
    }

    /// <summary>
    /// Code read from the chosen build's image (always, for a project without a home directory): checks the entry is there
    /// and returns the image's working directory (the code folder); null when it cannot be checked (the problem is added).
    /// </summary>
    public static async Task<string?> ImageDirAsync(IImageFiles imageFiles, ValidationErrors errors, Project project, BuildVersion? build, string? buildTag,
        string entry, CancellationToken ct)
    {
        if (errors.Has("entry")) return null;
        ImageCode.CheckSource(errors, imageFiles, project, buildTag, "code is served");
        if (imageFiles.Unavailable is not null || build is null) return null;
        var (file, problem) = await ImageCode.FindAsync(imageFiles, build, entry, $"'{entry}'", ct);
        if (problem is not null) errors.Add("entry", problem);
        return file?.WorkingDir;
    }
}
