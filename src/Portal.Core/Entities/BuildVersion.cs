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
}

public enum BuildSource { Local, Git, PreBuilt }
