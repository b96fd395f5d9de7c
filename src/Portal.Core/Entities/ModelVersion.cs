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
    public long? BuildVersionId { get; set; }
    public BuildVersion? BuildVersion { get; set; }
    /// <summary>Free-form details; numbers here (e.g. metrics a training reported) are shown side by side.</summary>
    public Dictionary<string, JsonElement> Details { get; set; } = [];
    public bool Compressed { get; set; }
    public List<StoredFile> Files { get; set; } = [];
    /// <summary>The tar.gz the files are kept as when <see cref="Compressed"/>.</summary>
    public StoredFile? Archive { get; set; }
    /// <summary>Environments the version was promoted to, in order (it is always in the first, e.g. dev).</summary>
    public List<Promotion> Promotions { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    /// <summary>The id the toolkit gave the publish call that made it, so that the same call sent again makes nothing new.</summary>
    public string? PublishId { get; set; }

    public bool IsIn(string environment, string entryEnvironment) =>
        environment == entryEnvironment || Promotions.Any(p => p.Environment == environment);
}

/// <summary>akerbp's promotion: an explicit move of a version into an environment, with who, when and why.</summary>
public sealed record Promotion(string Environment, string Comment, string By, DateTime At);
