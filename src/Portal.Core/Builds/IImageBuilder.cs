namespace Portal.Core.Builds;

/// <summary>Builds and finds images on the container engine. Managers without an engine refuse with what to configure.</summary>
public interface IImageBuilder
{
    /// <summary>Why images cannot be built here (no engine answers, or the manager has none), or null when they can.</summary>
    Task<string?> UnavailableAsync(CancellationToken ct);

    /// <summary>Builds <paramref name="image"/> from a folder holding a Dockerfile; reports each output line; returns the image id.</summary>
    Task<string> BuildAsync(string contextDirectory, string image, string dockerfile, Func<string, Task> onOutput, CancellationToken ct);

    /// <summary>The id of an image on the engine's host, or null when it is not there.</summary>
    Task<string?> ImageIdAsync(string image, CancellationToken ct);

    /// <summary>Pulls an image from its registry; returns its id.</summary>
    Task<string> PullAsync(string image, RegistryAuth? auth, Func<string, Task> onOutput, CancellationToken ct);

    /// <summary>Pushes an image to the registry its name starts with; returns the digest the registry gave it (sha256:…).</summary>
    Task<string> PushAsync(string image, RegistryAuth? auth, Func<string, Task> onOutput, CancellationToken ct);
}
