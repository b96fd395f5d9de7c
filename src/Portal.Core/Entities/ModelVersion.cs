using System.Text.Json;

namespace Portal.Core.Entities;

/// <summary>A persisted model produced by a training or uploaded by hand (Noronha's "movers").</summary>
public sealed class ModelVersion
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public long ModelId { get; set; }
    public Model? Model { get; set; }
    public long? TrainingId { get; set; }
    public Training? Training { get; set; }
    /// <summary>Snapshot: the training's name, kept when the training record is removed.</summary>
    public string? TrainingName { get; set; }
    public long? DatasetId { get; set; }
    public Dataset? Dataset { get; set; }
    /// <summary>Snapshot: the dataset's name, kept when the dataset is removed.</summary>
    public string? DatasetName { get; set; }
    public long? PretrainedId { get; set; }
    public ModelVersion? Pretrained { get; set; }
    public Dictionary<string, JsonElement> Details { get; set; } = [];
    public bool Compressed { get; set; }
    public List<StoredFile> Files { get; set; } = [];
    public DateTime CreatedAt { get; set; }
}
