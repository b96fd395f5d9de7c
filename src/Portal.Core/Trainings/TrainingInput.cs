using System.Text.Json;
using Portal.Core.Entities;

namespace Portal.Core.Trainings;

/// <summary>What a user gives to launch a training (Noronha's <c>nha train new</c>).</summary>
public sealed record TrainingInput
{
    public required string Project { get; init; }
    /// <summary>Empty for a random readable name.</summary>
    public string? Name { get; init; }
    /// <summary>Path of the notebook inside the project, e.g. <c>notebooks/train.ipynb</c>.</summary>
    public required string Notebook { get; init; }
    /// <summary>A JSON object; each key becomes a variable in the injected-parameters cell.</summary>
    public string? ParametersJson { get; init; }
    /// <summary>Datasets to mount read-only, as <c>model/dataset</c>.</summary>
    public IReadOnlyList<string> Datasets { get; init; } = [];
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public string? ResourceProfile { get; init; }
    /// <summary>A model version to start from, as <c>model/version</c>; mounted read-only at /portal/pretrained.</summary>
    public string? Pretrained { get; init; }
    /// <summary>Extra host folders as <c>/host/path:/container/path[:ro]</c> (Docker's syntax; read-write unless <c>:ro</c>).</summary>
    public IReadOnlyList<string> Mounts { get; init; } = [];
    /// <summary>Build tag of the project image; the local manager runs the project's home directory instead.</summary>
    public string? BuildTag { get; init; }

    /// <summary>The launch <paramref name="template"/> keeps, named <paramref name="name"/>, with <paramref name="parameters"/> and any more datasets.</summary>
    public static TrainingInput From(LaunchTemplate template, string project, string name, IReadOnlyDictionary<string, JsonElement> parameters,
        IEnumerable<string>? moreDatasets = null) => new()
    {
        Project = project, Name = name, Notebook = template.Notebook, ParametersJson = JsonSerializer.Serialize(parameters),
        Datasets = [.. template.Datasets.Concat(moreDatasets ?? [])], Env = template.Env, ResourceProfile = template.ResourceProfile,
        Pretrained = template.Pretrained, Mounts = template.Mounts, BuildTag = template.BuildTag,
    };
}
