using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;

namespace Portal.Core.Builds;

/// <summary>
/// The rule for projects without a home directory: their code comes from the chosen build's image. Trainings read
/// their notebook and deployments their prediction code this way, with the same checks and the same sentences.
/// </summary>
public static class ImageCode
{
    /// <summary>
    /// For a project without a home directory, adds why its code cannot be read here (<c>project</c>) or that a build
    /// must be chosen (<c>build_tag</c>); <paramref name="use"/> completes "so its …", e.g. "notebook is read".
    /// </summary>
    public static void CheckSource(ValidationErrors errors, IImageFiles files, Project project, string? buildTag, string use)
    {
        if (project.HomeDir is not null) return;
        if (files.Unavailable is { } reason) errors.Add("project", reason);
        else if (buildTag is null)
            errors.Add("build_tag", $"The project '{project.Name}' has no home directory, so its {use} from one of its builds: choose a build tag (build the project on its page first).");
    }

    /// <summary>The file at <paramref name="path"/> in the build's image, or the sentence saying why there is none (<paramref name="described"/> names it).</summary>
    public static async Task<(ImageFile? File, string? Problem)> FindAsync(IImageFiles files, BuildVersion build, string path, string described, CancellationToken ct)
    {
        var image = build.Image ?? ProjectImages.NotebookBase;
        try
        {
            var file = await files.ReadAsync(image, path, ct);
            return file.Exists
                ? (file, null)
                : (null, $"The build '{build.Tag}' ({image}) has no {described}: looked for {file.Path}, as paths start at the image's working directory ({file.WorkingDir}).");
        }
        catch (ContainerManagerException e) { return (null, $"'{path}' could not be read from the build '{build.Tag}': {e.Message}"); }
    }
}
