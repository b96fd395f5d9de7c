namespace Portal.Core.Entities;

/// <summary>How a packaged model is used (Odahu's docker-rest and docker-cli packagers).</summary>
public enum PackageKind
{
    /// <summary>An image that serves /api/model/info, /api/model/invoke and /health on port 8080, no portal needed.</summary>
    Rest,
    /// <summary>An image whose entrypoint scores input files into output files (batch scoring in any scheduler).</summary>
    Cli,
}

/// <summary>
/// A model version packaged into an image with the project's prediction code (Odahu's ModelPackaging): the run's state,
/// its log, and the image it made.
/// </summary>
public sealed class ModelPackage
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public PackageKind Kind { get; set; }
    public long? ModelVersionId { get; set; }
    public ModelVersion? ModelVersion { get; set; }
    /// <summary>Snapshot: <c>model/version</c>, kept when the version is removed.</summary>
    public string VersionRef { get; set; } = "";
    public long? ProjectId { get; set; }
    /// <summary>Snapshot of the project's name.</summary>
    public string ProjectName { get; set; } = "";
    /// <summary>The build whose image holds the code (and is the base); null: the project's home directory on the notebook base.</summary>
    public string? BuildTag { get; set; }
    /// <summary>The branch, tag or commit the code was cloned at, for code from the project's git repository.</summary>
    public string? GitRef { get; set; }
    /// <summary>The commit the code was cloned at (git code only), once cloned.</summary>
    public string? GitCommit { get; set; }
    /// <summary>The prediction code: a module or notebook, relative to the code folder.</summary>
    public string Entry { get; set; } = "";
    /// <summary>The image's name and tag.</summary>
    public string Image { get; set; } = "";
    /// <summary>The engine's id of the image made (sha256:…).</summary>
    public string? ImageId { get; set; }
    /// <summary>The digest the registry gave the image when it was pushed (sha256:…); null when it stayed on the engine.</summary>
    public string? Digest { get; set; }
    public TaskInfo Task { get; set; } = new();
    public string LogKey { get; set; } = "";
    public string? CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
}
