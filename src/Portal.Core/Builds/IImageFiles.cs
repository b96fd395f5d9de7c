namespace Portal.Core.Builds;

/// <summary>
/// Reads a project's code out of its built image. Projects registered from a git or docker repository have no home
/// directory on the portal's host: the notebook a training runs and the module a deployment serves come from the
/// image of the build the user chose, as Noronha runs code baked into the project image.
/// </summary>
public interface IImageFiles
{
    /// <summary>Why this container manager cannot read images (a sentence saying what to do instead), or null when it can.</summary>
    string? Unavailable { get; }

    /// <summary>The text file at <paramref name="path"/>, relative to the image's working directory (WORKDIR, "/" when unset).</summary>
    Task<ImageFile> ReadAsync(string image, string path, CancellationToken ct);
}
