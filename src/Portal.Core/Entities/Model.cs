namespace Portal.Core.Entities;

/// <summary>A model definition: the template describing how versions and datasets of it are persisted.</summary>
public sealed class Model
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string? Desc { get; set; }
    /// <summary>Files that compose the model's persistence (a model version).</summary>
    public List<FileSpec> ModelFiles { get; set; } = [];
    /// <summary>Files that compose a dataset for training the model.</summary>
    public List<FileSpec> DataFiles { get; set; } = [];
    public List<Project> Projects { get; set; } = [];
    /// <summary>Classification or regression, for live accuracy from feedback; unset, feedback is stored but not scored.</summary>
    public ModelKind? Kind { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
