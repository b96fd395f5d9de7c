using Portal.Core.Builds;
using Portal.Core.Containers;

namespace Portal.Orchestration.Builds;

/// <summary>The local manager has no container engine: builds are refused with what to configure instead.</summary>
public sealed class NoEngineImageBuilder : IImageBuilder
{
    public const string Explanation =
        "Image builds need a container engine: set container_manager.type: swarm in portal.yaml (with dockerd running). "
        + "With local processes, trainings run the project's home directory with the host's Python.";

    public Task<string> BuildAsync(string contextDirectory, string image, string dockerfile, Func<string, Task> onOutput, CancellationToken ct) =>
        throw new ContainerManagerException(Explanation);

    public Task<string?> ImageIdAsync(string image, CancellationToken ct) => throw new ContainerManagerException(Explanation);

    public Task<string> PullAsync(string image, RegistryAuth? auth, Func<string, Task> onOutput, CancellationToken ct) => throw new ContainerManagerException(Explanation);
}
