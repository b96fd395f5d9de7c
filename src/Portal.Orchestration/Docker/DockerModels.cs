using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Orchestration.Docker;

public sealed record DockerVersion(string Version, string ApiVersion, string? MinAPIVersion, string? Os, string? Arch);

public sealed record DockerInfo(string? Name, int NCPU, long MemTotal, string? ServerVersion, DockerSwarmInfo? Swarm);

public sealed record DockerSwarmInfo(string? LocalNodeState, bool ControlAvailable, string? NodeID);

internal static class DockerJson
{
    /// <summary>The Engine API uses PascalCase names; properties it adds later are ignored.</summary>
    public static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}
