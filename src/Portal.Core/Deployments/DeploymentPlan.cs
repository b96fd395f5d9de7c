using Portal.Core.Configuration;
using Portal.Core.Entities;

namespace Portal.Core.Deployments;

/// <summary>A deployment that passed every check, with what it names resolved to records.</summary>
public sealed record DeploymentPlan
{
    public required string Name { get; init; }
    public required Project Project { get; init; }
    public required ModelVersion Version { get; init; }
    public required BuildVersion? Build { get; init; }
    public required string Environment { get; init; }
    public required string Entry { get; init; }
    /// <summary>The build image's code folder, when the project has no home directory to serve from.</summary>
    public required string? CodeDir { get; init; }
    public required string? ProfileName { get; init; }
    public required ResourceProfile? Profile { get; init; }
    /// <summary>The rest package whose image serves, or null when the toolkit's server runs the project's code.</summary>
    public ModelPackage? Package { get; init; }
}
