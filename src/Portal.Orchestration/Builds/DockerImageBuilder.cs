using Portal.Core.Builds;
using Portal.Core.Containers;
using Portal.Orchestration.Docker;

namespace Portal.Orchestration.Builds;

/// <summary>Builds and pulls images with the Docker engine the Swarm manager uses.</summary>
public sealed class DockerImageBuilder(DockerClient docker) : IImageBuilder
{
    public async Task<string> BuildAsync(string contextDirectory, string image, string dockerfile, Func<string, Task> onOutput, CancellationToken ct)
    {
        await using var context = BuildContext.Open(contextDirectory, ct);
        try { return await docker.BuildImageAsync(context, image, dockerfile, onOutput, ct); }
        catch (DockerApiException e) { throw e.ToUserError(); }
    }

    public async Task<string?> ImageIdAsync(string image, CancellationToken ct)
    {
        try { return await docker.ImageIdAsync(image, ct); }
        catch (DockerApiException e) { throw e.ToUserError(); }
    }

    public async Task<string> PullAsync(string image, RegistryAuth? auth, Func<string, Task> onOutput, CancellationToken ct)
    {
        try { return await docker.PullImageAsync(image, auth, onOutput, ct); }
        catch (DockerApiException e) { throw new ContainerManagerException($"Pulling {image} failed: {e.Message}", e); }
    }
}
