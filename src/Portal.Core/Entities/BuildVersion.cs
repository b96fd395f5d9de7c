namespace Portal.Core.Entities;

/// <summary>The image produced when a project was built (Noronha's "bvers").</summary>
public sealed class BuildVersion
{
    public long Id { get; set; }
    public string Tag { get; set; } = "";
    public long ProjectId { get; set; }
    public Project? Project { get; set; }
    public string? DockerId { get; set; }
    /// <summary>Git commit hash of the code the image was built from, when built from git.</summary>
    public string? GitVersion { get; set; }
    public DateTime BuiltAt { get; set; }
    public BuildSource BuiltFrom { get; set; }
    /// <summary>The image reference the build produced or took (e.g. <c>portal/iris:latest</c>); trainings run it.</summary>
    public string? Image { get; set; }
    /// <summary>File-store key of the build's log (its output, kept after the build).</summary>
    public string? LogKey { get; set; }
}

public enum BuildSource { Local, Git, PreBuilt }
