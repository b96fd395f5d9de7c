namespace Portal.Core.Entities;

/// <summary>A project managed by the portal (Noronha's "proj"): code that trains and serves models.</summary>
public sealed class Project
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string? Desc { get; set; }
    /// <summary>Local directory where the project is hosted (built from its Dockerfile).</summary>
    public string? HomeDir { get; set; }
    /// <summary>The project's remote git repository.</summary>
    public string? GitRepo { get; set; }
    /// <summary>The project's pre-built image repository.</summary>
    public string? DockerRepo { get; set; }
    /// <summary>Models used by this project: referenced documents, always current.</summary>
    public List<Model> Models { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
