namespace Portal.Core.Builds;

/// <summary>
/// A text file looked up in an image: its absolute path there, the image's working directory, and its text, which
/// is null when the image has no file at that path.
/// </summary>
public sealed record ImageFile(string Path, string WorkingDir, string? Text)
{
    public bool Exists => Text is not null;

    /// <summary>The folder holding the file, inside the image.</summary>
    public string Folder => Path[..Math.Max(1, Path.LastIndexOf('/'))];
}
