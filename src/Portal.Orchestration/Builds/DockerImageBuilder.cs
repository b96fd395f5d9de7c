using Portal.Core.Builds;
using Portal.Orchestration.Docker;

namespace Portal.Orchestration.Builds;

/// <summary>Builds, pulls and pushes images with the Docker engine the Swarm manager uses.</summary>
public sealed class DockerImageBuilder(DockerEngine docker) : IImageBuilder
{
    /// <summary>The manager's own engine: when it does not answer, the build says so (as every other call to it does).</summary>
    public Task<string?> UnavailableAsync(CancellationToken ct) => Task.FromResult<string?>(null);

    public async Task<string> BuildAsync(string contextDirectory, string image, string dockerfile, Func<string, Task> onOutput, CancellationToken ct)
    {
        await using var context = BuildContext.Open(contextDirectory, ct);
        return await docker.BuildImageAsync(context, image, dockerfile, onOutput, ct);
    }

    public Task<string?> ImageIdAsync(string image, CancellationToken ct) => docker.ImageIdAsync(image, ct);

    public Task<string> PullAsync(string image, RegistryAuth? auth, Func<string, Task> onOutput, CancellationToken ct) =>
        docker.PullImageAsync(image, auth, onOutput, ct);

    public Task<string> PushAsync(string image, RegistryAuth? auth, Func<string, Task> onOutput, CancellationToken ct) =>
        docker.PushImageAsync(image, auth, onOutput, ct);
}
