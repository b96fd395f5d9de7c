using System.Text.Json;

namespace Portal.Core.Entities;

/// <summary>One execution of a training notebook (Noronha's "train").</summary>
public sealed class Training
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public long ProjectId { get; set; }
    public Project? Project { get; set; }
    public long? BuildVersionId { get; set; }
    public BuildVersion? BuildVersion { get; set; }
    /// <summary>Snapshot: the build tag when the training ran.</summary>
    public string? BuildTag { get; set; }
    /// <summary>Relative path inside the project to the executed notebook.</summary>
    public string Notebook { get; set; } = "";
    public Dictionary<string, JsonElement> Parameters { get; set; } = [];
    public TaskInfo Task { get; set; } = new();
    public Dictionary<string, JsonElement> Details { get; set; } = [];
    public string? ResourceProfile { get; set; }
    public DateTime CreatedAt { get; set; }
}
