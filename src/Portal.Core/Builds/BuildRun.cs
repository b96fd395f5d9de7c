using Portal.Core.Entities;

namespace Portal.Core.Builds;

public enum BuildRunState { Running, Succeeded, Failed }

/// <summary>A build in progress or recently ended. Its output is in the log book under <see cref="LogKey"/>; a success becomes a <see cref="BuildVersion"/>.</summary>
public sealed class BuildRun
{
    public required string Id { get; init; }
    public required string Project { get; init; }
    public required long ProjectId { get; init; }
    public required string Tag { get; init; }
    public required string Image { get; init; }
    public required BuildSource From { get; init; }
    public string? GitRef { get; init; }
    public required DateTime StartedAt { get; init; }
    public required string LogKey { get; init; }
    public BuildRunState State { get; set; } = BuildRunState.Running;
    public DateTime? EndedAt { get; set; }
    public string? Message { get; set; }
    public string? DockerId { get; set; }
    public string? GitVersion { get; set; }
}
