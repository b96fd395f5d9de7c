using Portal.Core.Entities;

namespace Portal.Core.Ide;

/// <summary>An IDE session request that passed every check.</summary>
public sealed record IdePlan(
    string Name, string Image, string? ProfileName, IReadOnlyList<Dataset> Datasets, IReadOnlyList<string> ModelVersions, string? EditProject,
    IReadOnlyDictionary<string, string> Env);
