using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Docker.DotNet;
using Docker.DotNet.Models;
using Portal.Core.Builds;
using Portal.Core.Containers;
using Portal.Orchestration.Containers;

namespace Portal.Orchestration.Docker;

/// <summary>
/// The portal's connection to one Docker engine, through Docker.DotNet (<see cref="Client"/>). What it adds is the
/// portal's own contract at the manager boundary: every call runs under <c>container_manager.api_timeout</c> (the
/// library's timeout is off so follow streams last as long as the work), and the library's exceptions become
/// <see cref="ContainerManagerException"/>s whose messages say what to do.
/// </summary>
/// <remarks>
/// Docker.DotNet sends unversioned URLs, so the engine answers in its own API version; the portal only checks that
/// the engine is new enough (<see cref="MinApiVersion"/>) and never asks for a newer version than it speaks.
/// </remarks>
public sealed partial class DockerEngine : IDisposable
{
    /// <summary>Docker 20.10: service, task and archive endpoints as the portal uses them.</summary>
    public static readonly System.Version MinApiVersion = new(1, 41);

    private readonly DockerClient _client;

    public DockerEngine(string daemonAddress, TimeSpan apiTimeout)
    {
        Address = daemonAddress;
        ApiTimeout = apiTimeout;
        _client = new DockerClientBuilder()
            .WithEndpoint(Endpoint(daemonAddress))
            .WithTimeout(Timeout.InfiniteTimeSpan)
            .Build();
    }

    public IDockerClient Client => _client;
    public string Address { get; }
    public TimeSpan ApiTimeout { get; }

    /// <summary>The portal writes <c>unix:/path</c> (as dockerd's -H does); the library wants <c>unix:///path</c>.</summary>
    public static Uri Endpoint(string daemonAddress) => daemonAddress.StartsWith("unix:", StringComparison.Ordinal)
        ? new Uri("unix:///" + daemonAddress["unix:".Length..].TrimStart('/'))
        : new Uri(daemonAddress);

    /// <summary>One request under the API timeout; failures become sentences.</summary>
    public Task<T> CallAsync<T>(Func<IDockerClient, CancellationToken, Task<T>> call, CancellationToken ct) => EngineCalls.WithinAsync(
        ApiTimeout, t => call(_client, t),
        () => $"The Docker daemon at {Address} did not answer within {ApiTimeout.TotalSeconds:0} s (container_manager.api_timeout).", Translate, ct);

    public Task CallAsync(Func<IDockerClient, CancellationToken, Task> call, CancellationToken ct) =>
        CallAsync<bool>(async (c, t) => { await call(c, t); return true; }, ct);

    /// <summary>Like <see cref="CallAsync{T}"/>, but an object the engine does not have is null instead of an error.</summary>
    public async Task<T?> FindAsync<T>(Func<IDockerClient, CancellationToken, Task<T>> call, CancellationToken ct) where T : class
    {
        try { return await CallAsync(call, ct); }
        catch (ContainerManagerException e) when (e.IsNotFound()) { return null; }
    }

    /// <summary>
    /// The engine's summary, after checking (once per connection, not on every start that reads the host's capacity)
    /// that it speaks an API the portal can use.
    /// </summary>
    public async Task<SystemInfoResponse> InfoAsync(CancellationToken ct)
    {
        if (ApiVersion is null)
        {
            var version = await CallAsync((c, t) => c.System.GetVersionAsync(t), ct);
            if (System.Version.TryParse(version.APIVersion, out var api) && api < MinApiVersion)
                throw new ContainerManagerException(
                    $"The Docker daemon at {Address} speaks API {version.APIVersion} (Docker {version.Version}); the portal needs " +
                    $"{MinApiVersion} or newer (Docker 20.10+).");
            ApiVersion = version.APIVersion;
        }
        return await CallAsync((c, t) => c.System.GetSystemInfoAsync(t), ct);
    }

    /// <summary>The API version the engine answered in, once <see cref="InfoAsync"/> found it usable.</summary>
    public string? ApiVersion { get; private set; }

    /// <summary>The image's id, or null when this host does not have it.</summary>
    public async Task<string?> ImageIdAsync(string image, CancellationToken ct) =>
        (await FindAsync((c, t) => c.Images.InspectImageAsync(image, t), ct))?.ID;

    /// <summary>Builds an image from a tar build context, reporting each line of build output; returns the image id.</summary>
    public async Task<string> BuildImageAsync(Stream context, string tag, string dockerfile, Func<string, Task> onOutput, CancellationToken ct)
    {
        var parameters = new ImageBuildParameters { Tags = [tag], Dockerfile = dockerfile, Remove = true, ForceRemove = true };
        await FollowAsync((c, progress, t) => c.Images.BuildImageFromDockerfileAsync(parameters, context, null, null, progress, t),
            m => m.Error is { } error ? $"The image build failed: {error.Message?.Trim()}" : null,
            m => m.Stream is { } text ? text.Split('\n', StringSplitOptions.RemoveEmptyEntries) : [],
            onOutput, ct);
        return await ImageIdAsync(tag, ct) ?? throw new ContainerManagerException($"The build of '{tag}' ended without an image.");
    }

    /// <summary>Pulls an image from its registry with the registry's login, reporting progress lines; returns its id.</summary>
    public async Task<string> PullImageAsync(string image, RegistryAuth? auth, Func<string, Task> onOutput, CancellationToken ct)
    {
        var (name, tag) = SplitTag(image);
        var login = auth is null ? null : new AuthConfig { Username = auth.Username, Password = auth.Password, ServerAddress = auth.Server };
        try
        {
            await FollowAsync((c, progress, t) => c.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = name, Tag = tag }, login, progress, t),
                m => m.Error is { } error ? $"Pulling {image} failed: {error.Message?.Trim()}" : null,
                m => m.Status is { } status && m.Progress?.Current is null or 0 ? [m.ID is { Length: > 0 } layer ? $"{layer}: {status}" : status] : [],
                onOutput, ct);
        }
        catch (ContainerManagerException e) when (!e.Message.StartsWith("Pulling ", StringComparison.Ordinal))
        {
            throw new ContainerManagerException($"Pulling {image} failed: {e.Message}", e);
        }
        return await ImageIdAsync(image, ct) ?? throw new ContainerManagerException($"The pull of '{image}' ended without an image.");
    }

    public async Task<string> PushImageAsync(string image, RegistryAuth? auth, Func<string, Task> onOutput, CancellationToken ct)
    {
        var (name, tag) = SplitTag(image);
        var login = auth is null ? new AuthConfig() : new AuthConfig { Username = auth.Username, Password = auth.Password, ServerAddress = auth.Server };
        string? digest = null;
        await FollowAsync((c, progress, t) => c.Images.PushImageAsync(name, new ImagePushParameters { Tag = tag }, login, progress, t),
            m => m.Error is { } error ? $"Pushing {image} failed: {error.Message?.Trim()}" : null,
            m =>
            {
                // The registry's answer ends with "<tag>: digest: sha256:… size: …".
                if (m.Status is { } s && DigestIn().Match(s) is { Success: true } found) digest = found.Value;
                return m.Status is { } status && m.Progress?.Current is null or 0 ? [m.ID is { Length: > 0 } layer ? $"{layer}: {status}" : status] : [];
            },
            onOutput, ct);
        return digest ?? throw new ContainerManagerException($"The push of '{image}' ended without a digest from the registry.");
    }

    [System.Text.RegularExpressions.GeneratedRegex("sha256:[0-9a-f]{64}")]
    private static partial System.Text.RegularExpressions.Regex DigestIn();

    /// <summary>Splits <c>registry:5000/repo:tag</c> into repository and tag (<c>latest</c> when absent).</summary>
    public static (string Name, string Tag) SplitTag(string image)
    {
        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }

    /// <summary>
    /// A long-running call that reports <see cref="JSONMessage"/>s (builds, pulls): the library reports them synchronously,
    /// so they pass through a channel to the caller's asynchronous <paramref name="onOutput"/>.
    /// </summary>
    private async Task FollowAsync(
        Func<IDockerClient, IProgress<JSONMessage>, CancellationToken, Task> call, Func<JSONMessage, string?> failure,
        Func<JSONMessage, IEnumerable<string>> lines, Func<string, Task> onOutput, CancellationToken ct)
    {
        var messages = Channel.CreateUnbounded<JSONMessage>(new UnboundedChannelOptions { SingleReader = true });
        var running = Task.Run(async () =>
        {
            try { await call(_client, new ChannelProgress(messages.Writer), ct); messages.Writer.TryComplete(); }
            catch (Exception e) { messages.Writer.TryComplete(e); }
        }, CancellationToken.None);
        try
        {
            await foreach (var message in messages.Reader.ReadAllAsync(ct))
            {
                if (failure(message) is { } error) throw new ContainerManagerException(error);
                foreach (var line in lines(message)) await onOutput(line);
            }
        }
        catch (ChannelClosedException e) when (e.InnerException is { } inner && Translate(inner) is { } error) { throw error; }
        catch (Exception e) when (Translate(e) is { } error) { throw error; }
        finally { await running; }
    }

    /// <summary>
    /// A workload's output, stdout and stderr demultiplexed by the library, line by line. A workload that is gone, or
    /// removed while followed, ends the stream.
    /// </summary>
    public async IAsyncEnumerable<LogLine> LogsAsync(
        Func<IDockerClient, CancellationToken, Task<MultiplexedStream>> open, [EnumeratorCancellation] CancellationToken ct)
    {
        MultiplexedStream stream;
        try { stream = await open(_client, ct); }
        catch (Exception e) when (Translate(e) is { } error)
        {
            if (error.IsNotFound()) yield break;
            throw error;
        }
        using (stream)
        {
            var lines = DockerLogLines.ReadAsync(stream, ct).GetAsyncEnumerator(ct);
            try
            {
                while (true)
                {
                    try { if (!await lines.MoveNextAsync()) yield break; }
                    catch (IOException) { yield break; }
                    yield return lines.Current;
                }
            }
            finally { await lines.DisposeAsync(); }
        }
    }

    /// <summary>The library's failures as sentences; null for what is not the engine's doing (cancellation, bugs).</summary>
    public ContainerManagerException? Translate(Exception e) => e switch
    {
        ContainerManagerException known => known,
        // 503: the swarm has no manager to answer (dockerd stopping or starting, a lost quorum); not a verdict on the work.
        DockerApiException { StatusCode: HttpStatusCode.ServiceUnavailable } api =>
            new EngineUnreachableException(Explain(api.StatusCode, Message(api.ResponseBody)), api),
        DockerApiException api => new ContainerManagerException(Explain(api.StatusCode, Message(api.ResponseBody)), api),
        HttpRequestException or SocketException or TimeoutException => new EngineUnreachableException(
            $"The Docker daemon at {Address} is not reachable ({(e.InnerException ?? e).Message}). Is dockerd running, and may the " +
            "portal use its socket?", e),
        IOException when e.InnerException is SocketException => Translate(e.InnerException),
        // The library's HTTP transport for tcp:// reports a refused connection wrapped once more.
        AggregateException { InnerExceptions: [var only] } => Translate(only),
        _ => null,
    };

    /// <summary>The engine's own words: its error body is <c>{"message": "..."}</c>.</summary>
    private static string Message(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return "no reason given";
        try { return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("message").GetString()?.Trim() ?? body.Trim(); }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException) { return body.Trim(); }
    }

    /// <summary>Rewrites what the engine says into what a user can act on, where it is recognised.</summary>
    public static string Explain(HttpStatusCode status, string m) => m switch
    {
        _ when m.Contains("This node is not a swarm manager", StringComparison.OrdinalIgnoreCase) =>
            "Docker is not in swarm mode. Run 'docker swarm init --advertise-addr 127.0.0.1' on the portal's host, or set " +
            "container_manager.type: local.",
        _ when m.Contains("No such image", StringComparison.OrdinalIgnoreCase) || m.Contains("pull access denied", StringComparison.OrdinalIgnoreCase) =>
            $"The image was not found on this host ({m}). Build the project first, or check the image name.",
        _ when m.Contains("port is already allocated", StringComparison.OrdinalIgnoreCase)
            || m.Contains("port ", StringComparison.OrdinalIgnoreCase) && m.Contains("in use", StringComparison.OrdinalIgnoreCase) =>
            $"A port the workload needs is taken by something else ({m}). Choose another port.",
        _ when m.Contains("insufficient resources", StringComparison.OrdinalIgnoreCase) =>
            $"The swarm has not enough CPU or memory for the requested resource profile ({m}). Choose a smaller profile or free resources.",
        _ when status == HttpStatusCode.Conflict => $"Docker refused because of a conflict: {m}",
        _ => string.Create(CultureInfo.InvariantCulture, $"Docker answered {(int)status}: {m}"),
    };

    public void Dispose() => _client.Dispose();

    private sealed class ChannelProgress(ChannelWriter<JSONMessage> writer) : IProgress<JSONMessage>
    {
        public void Report(JSONMessage value) => writer.TryWrite(value);
    }
}
