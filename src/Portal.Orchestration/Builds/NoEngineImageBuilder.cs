using Portal.Core.Builds;
using Portal.Core.Containers;

namespace Portal.Orchestration.Builds;

/// <summary>Kubernetes gives the portal no engine of its own: builds are refused with what to do instead.</summary>
public sealed class NoEngineImageBuilder : IImageBuilder
{
    public const string Explanation =
        "On Kubernetes the portal has no engine to build images with: build them in CI, push them to a registry, and give the "
        + "project that docker repository.";

    public Task<string?> UnavailableAsync(CancellationToken ct) => Task.FromResult<string?>(Explanation);

    public Task<string> BuildAsync(string contextDirectory, string image, string dockerfile, Func<string, Task> onOutput, CancellationToken ct) =>
        throw new ContainerManagerException(Explanation);

    public Task<string?> ImageIdAsync(string image, CancellationToken ct) => throw new ContainerManagerException(Explanation);

    public Task<string> PullAsync(string image, RegistryAuth? auth, Func<string, Task> onOutput, CancellationToken ct) => throw new ContainerManagerException(Explanation);

    public Task<string> PushAsync(string image, RegistryAuth? auth, Func<string, Task> onOutput, CancellationToken ct) => throw new ContainerManagerException(Explanation);
}
