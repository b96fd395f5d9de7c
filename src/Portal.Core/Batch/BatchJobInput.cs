namespace Portal.Core.Batch;

/// <summary>What a user gives to score a dataset with a model version (ODAHU's batch inference job).</summary>
public sealed record BatchJobInput
{
    /// <summary>The model version to score with, as <c>model/version</c>.</summary>
    public required string Version { get; init; }
    /// <summary>The dataset to score, as <c>model/dataset</c>: its .csv and .json files, each scored whole.</summary>
    public required string Dataset { get; init; }
    /// <summary>The project whose prediction code scores; empty for the project that trained the version.</summary>
    public string? Project { get; init; }
    /// <summary>The prediction code in the project (load/predict), as deployments name it; predict.py when empty.</summary>
    public string? Entry { get; init; }
    /// <summary>The name of the dataset the predictions become, under the version's model; empty for one made up.</summary>
    public string? Output { get; init; }
    /// <summary>Empty for a random readable name.</summary>
    public string? Name { get; init; }
    public string? ResourceProfile { get; init; }
    /// <summary>Build tag of the project image to score in.</summary>
    public string? BuildTag { get; init; }
}
