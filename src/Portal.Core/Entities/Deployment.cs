using System.Text.Json;

namespace Portal.Core.Entities;

/// <summary>A group of identical containers serving predictions (Noronha's "depl").</summary>
public sealed class Deployment
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public long ProjectId { get; set; }
    public Project? Project { get; set; }
    public long? ModelVersionId { get; set; }
    public ModelVersion? ModelVersion { get; set; }
    public long? BuildVersionId { get; set; }
    public BuildVersion? BuildVersion { get; set; }
    /// <summary>Relative path inside the project to the prediction notebook or module.</summary>
    public string Notebook { get; set; } = "";
    public int Replicas { get; set; } = 1;
    public TaskInfo Task { get; set; } = new();
    public Dictionary<string, JsonElement> Details { get; set; } = [];
    public DateTime CreatedAt { get; set; }
}
