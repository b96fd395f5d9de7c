using Portal.Core.Configuration;
using Portal.Core.Entities;

namespace Portal.Core.Trainings;

/// <summary>A launch that passed every check: what it names, resolved to records, and the notebook with its parameters in.</summary>
public sealed record TrainingLaunchPlan
{
    public required Project Project { get; init; }
    public required string Name { get; init; }
    public required string Notebook { get; init; }
    /// <summary>The notebook's text with the injected-parameters cell.</summary>
    public required string InjectedNotebook { get; init; }
    /// <summary>The folder the kernel starts in, inside the workload.</summary>
    public required string KernelDir { get; init; }
    public required Dictionary<string, System.Text.Json.JsonElement> Parameters { get; init; }
    public required string? ProfileName { get; init; }
    public required ResourceProfile? Profile { get; init; }
    public required IReadOnlyList<Dataset> Datasets { get; init; }
    public required List<ExtraMount> Mounts { get; init; }
    public required ModelVersion? Pretrained { get; init; }
    public required BuildVersion? Build { get; init; }
    public required IReadOnlyDictionary<string, string> Env { get; init; }
}
