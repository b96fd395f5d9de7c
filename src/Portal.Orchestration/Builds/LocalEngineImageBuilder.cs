using Portal.Core.Builds;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Orchestration.Docker;

namespace Portal.Orchestration.Builds;

/// <summary>
/// Builds on embedded defaults: local processes need no engine, but when a Docker engine answers on this host
/// (<c>docker.daemon_address</c>) images are built and pulled with it; when none does, builds are not offered.
/// </summary>
public sealed class LocalEngineImageBuilder(PortalConfig config) : IImageBuilder, IDisposable
{
    private static readonly TimeSpan AskAgainAfter = TimeSpan.FromSeconds(30);
    private readonly DockerEngine _docker = new(config.Docker.DaemonAddress, TimeSpan.FromSeconds(Math.Min(config.ContainerManager.ApiTimeout, 5)));
    private (DateTime At, string? Why)? _last;

    /// <summary>Asks the engine at most every 30 s: pages ask on every render of a project.</summary>
    public async Task<string?> UnavailableAsync(CancellationToken ct)
    {
        if (_last is { } last && DateTime.UtcNow - last.At < AskAgainAfter) return last.Why;
        string? why = null;
        try { await _docker.InfoAsync(ct); }
        catch (ContainerManagerException e)
        {
            why = $"Image builds need a Docker engine, and none answers at {config.Docker.DaemonAddress} ({e.Message.TrimEnd('.')}). "
                + "Start dockerd on this host, or set container_manager.type: swarm. Trainings here run the project's home directory with the host's Python.";
        }
        _last = (DateTime.UtcNow, why);
        return why;
    }

    public async Task<string> BuildAsync(string contextDirectory, string image, string dockerfile, Func<string, Task> onOutput, CancellationToken ct)
    {
        await ThrowIfUnavailableAsync(ct);
        return await new DockerImageBuilder(_docker).BuildAsync(contextDirectory, image, dockerfile, onOutput, ct);
    }

    public async Task<string?> ImageIdAsync(string image, CancellationToken ct)
    {
        await ThrowIfUnavailableAsync(ct);
        return await _docker.ImageIdAsync(image, ct);
    }

    public async Task<string> PullAsync(string image, RegistryAuth? auth, Func<string, Task> onOutput, CancellationToken ct)
    {
        await ThrowIfUnavailableAsync(ct);
        return await _docker.PullImageAsync(image, auth, onOutput, ct);
    }

    public async Task<string> PushAsync(string image, RegistryAuth? auth, Func<string, Task> onOutput, CancellationToken ct)
    {
        await ThrowIfUnavailableAsync(ct);
        return await _docker.PushImageAsync(image, auth, onOutput, ct);
    }

    private async Task ThrowIfUnavailableAsync(CancellationToken ct)
    {
        _last = null;
        if (await UnavailableAsync(ct) is { } why) throw new ContainerManagerException(why);
    }

    public void Dispose() => _docker.Dispose();
}
