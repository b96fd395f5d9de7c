using Portal.Core.Builds;
using Portal.Core.Containers;

namespace Portal.Orchestration.Builds;

/// <summary>Managers that cannot look inside images say why, and what to do instead.</summary>
public sealed class NoImageFiles(string reason) : IImageFiles
{
    public const string OnLocalProcesses =
        "Local processes run a project's code from its home directory, and this project has none: give it a home directory, "
        + "or run the portal with container_manager.type: swarm, where the code is taken from the project's build.";

    public const string OnKubernetes =
        "On Kubernetes the portal cannot look inside images (it has no engine of its own), so code runs from the project's "
        + "home directory: give the project one on the portal's data volume.";

    public string? Unavailable => reason;

    public Task<ImageFile> ReadAsync(string image, string path, CancellationToken ct) => throw new ContainerManagerException(reason);
}
