using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Core.Containers;

namespace Portal.Orchestration.Docker;

/// <summary>
/// A typed client of the Docker Engine REST API (Docker.DotNet is not in the registry). Talks over the unix
/// socket or TCP named by <c>docker.daemon_address</c>, negotiates the API version with the daemon once, and
/// turns failures into <see cref="ContainerManagerException"/>s whose messages say what to do.
/// </summary>
public sealed class DockerClient : IDisposable
{
    /// <summary>The newest API version this client speaks; older daemons are addressed with their own version.</summary>
    public const string MaxApiVersion = "1.43";
    public const string MinApiVersion = "1.41";

    private readonly HttpClient _http;
    private readonly string _address;
    private readonly SemaphoreSlim _negotiation = new(1, 1);
    private string? _version;

    public DockerClient(string daemonAddress, TimeSpan timeout)
    {
        _address = daemonAddress;
        SocketsHttpHandler handler = new() { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        Uri baseAddress;
        if (daemonAddress.StartsWith("unix:", StringComparison.Ordinal))
        {
            var path = daemonAddress["unix:".Length..].TrimStart('/');
            var socket = "/" + path.TrimStart('/');
            handler.ConnectCallback = async (_, ct) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
                    return new NetworkStream(s, ownsSocket: true);
                }
                catch
                {
                    s.Dispose();
                    throw;
                }
            };
            baseAddress = new Uri("http://docker/");
        }
        else
        {
            baseAddress = new Uri(daemonAddress.Replace("tcp://", "http://", StringComparison.Ordinal).TrimEnd('/') + "/");
        }
        // Follow streams (logs, builds) last as long as the work: the timeout applies per call through tokens instead.
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        ApiTimeout = timeout;
    }

    public TimeSpan ApiTimeout { get; }
    public string Address => _address;

    /// <summary>The API version in use, agreed with the daemon on first use.</summary>
    public async Task<string> ApiVersionAsync(CancellationToken ct)
    {
        if (_version is not null) return _version;
        await _negotiation.WaitAsync(ct);
        try
        {
            if (_version is not null) return _version;
            var version = await SendAsync<DockerVersion>(HttpMethod.Get, "version", null, ct, versioned: false);
            var server = Version.Parse(version.ApiVersion);
            if (server < Version.Parse(MinApiVersion))
                throw new ContainerManagerException($"The Docker daemon at {_address} speaks API {version.ApiVersion} (Docker {version.Version}); the portal needs {MinApiVersion} or newer (Docker 20.10+).");
            _version = server < Version.Parse(MaxApiVersion) ? version.ApiVersion : MaxApiVersion;
            return _version;
        }
        finally { _negotiation.Release(); }
    }


    public Task<DockerInfo> InfoAsync(CancellationToken ct) => SendAsync<DockerInfo>(HttpMethod.Get, "info", null, ct);

    /// <summary>The image's id, or null when this host does not have it.</summary>
    public async Task<string?> ImageIdAsync(string image, CancellationToken ct)
    {
        try { return (await SendAsync<JsonObject>(HttpMethod.Get, $"images/{Uri.EscapeDataString(image)}/json", null, ct))["Id"]?.GetValue<string>(); }
        catch (DockerApiException e) when (e.Status == HttpStatusCode.NotFound) { return null; }
    }

    /// <summary>The image's inspect document (config, working dir, layers), or null when this host does not have it.</summary>
    public async Task<JsonObject?> InspectImageAsync(string image, CancellationToken ct)
    {
        try { return await SendAsync<JsonObject>(HttpMethod.Get, $"images/{Uri.EscapeDataString(image)}/json", null, ct); }
        catch (DockerApiException e) when (e.Status == HttpStatusCode.NotFound) { return null; }
    }

    /// <summary>Builds an image from a tar build context, reporting each line of build output; returns the image id.</summary>
    public async Task<string> BuildImageAsync(Stream context, string tag, string dockerfile, Func<string, Task> onOutput, CancellationToken ct)
    {
        var path = $"build?t={Uri.EscapeDataString(tag)}&dockerfile={Uri.EscapeDataString(dockerfile)}&rm=1&forcerm=1";
        using var request = new HttpRequestMessage(HttpMethod.Post, await VersionedAsync(path, ct)) { Content = new StreamContent(context) };
        request.Content.Headers.ContentType = new("application/x-tar");
        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(body, Encoding.UTF8);
        string? imageId = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0) continue;
            var message = JsonNode.Parse(line)!;
            if (message["error"]?.GetValue<string>() is { } error) throw new ContainerManagerException($"The image build failed: {error.Trim()}");
            if (message["stream"]?.GetValue<string>() is { } stream)
                foreach (var part in stream.Split('\n', StringSplitOptions.RemoveEmptyEntries)) await onOutput(part);
            if (message["aux"]?["ID"]?.GetValue<string>() is { } id) imageId = id;
        }
        return imageId ?? await ImageIdAsync(tag, ct) ?? throw new ContainerManagerException($"The build of '{tag}' ended without an image.");
    }

    /// <summary>Pulls an image from its registry, reporting progress lines; returns its id.</summary>
    public async Task<string> PullImageAsync(string image, Portal.Core.Builds.RegistryAuth? auth, Func<string, Task> onOutput, CancellationToken ct)
    {
        var (name, tag) = SplitTag(image);
        using var request = new HttpRequestMessage(HttpMethod.Post, await VersionedAsync($"images/create?fromImage={Uri.EscapeDataString(name)}&tag={Uri.EscapeDataString(tag)}", ct));
        // The engine's registry login: base64url JSON in X-Registry-Auth (the Engine API's authentication section).
        if (auth is not null)
            request.Headers.TryAddWithoutValidation("X-Registry-Auth", Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string?>
            {
                ["username"] = auth.Username, ["password"] = auth.Password, ["serveraddress"] = auth.Server,
            })).Replace('+', '-').Replace('/', '_'));
        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(body, Encoding.UTF8);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0) continue;
            var message = JsonNode.Parse(line)!;
            if (message["error"]?.GetValue<string>() is { } error) throw new ContainerManagerException($"Pulling {image} failed: {error.Trim()}");
            if (message["status"]?.GetValue<string>() is { } status && message["progressDetail"]?["current"] is null)
                await onOutput(message["id"]?.GetValue<string>() is { } layer ? $"{layer}: {status}" : status);
        }
        return await ImageIdAsync(image, ct) ?? throw new ContainerManagerException($"The pull of '{image}' ended without an image.");
    }

    /// <summary>Splits <c>registry:5000/repo:tag</c> into repository and tag (<c>latest</c> when absent).</summary>
    public static (string Name, string Tag) SplitTag(string image)
    {
        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }

    public async Task<string> CreateServiceAsync(JsonObject spec, CancellationToken ct) =>
        (await SendAsync<JsonObject>(HttpMethod.Post, "services/create", spec, ct))["ID"]!.GetValue<string>();

    public async Task<JsonObject?> InspectServiceAsync(string id, CancellationToken ct)
    {
        try { return await SendAsync<JsonObject>(HttpMethod.Get, $"services/{Uri.EscapeDataString(id)}", null, ct); }
        catch (DockerApiException e) when (e.Status == HttpStatusCode.NotFound) { return null; }
    }

    /// <summary>Replaces a service's spec; <paramref name="version"/> is the index it was read at (Docker refuses stale updates).</summary>
    public Task UpdateServiceAsync(string id, long version, JsonNode spec, CancellationToken ct) =>
        SendAsync<JsonNode?>(HttpMethod.Post, $"services/{Uri.EscapeDataString(id)}/update?version={version}", spec, ct);

    public async Task<JsonArray> ListServicesAsync(string label, CancellationToken ct) =>
        await SendAsync<JsonArray>(HttpMethod.Get, $"services?filters={Filters("label", label)}", null, ct);

    /// <summary>Containers carrying the label (<c>key=value</c>): running ones, or all with <paramref name="all"/>.</summary>
    public async Task<JsonArray> ListContainersAsync(string label, CancellationToken ct, bool all = false) =>
        await SendAsync<JsonArray>(HttpMethod.Get, $"containers/json?all={(all ? 1 : 0)}&filters={Filters("label", label)}", null, ct);

    public async Task<string> CreateContainerAsync(string name, JsonObject spec, CancellationToken ct) =>
        (await SendAsync<JsonObject>(HttpMethod.Post, $"containers/create?name={Uri.EscapeDataString(name)}", spec, ct))["Id"]!.GetValue<string>();

    public Task StartContainerAsync(string id, CancellationToken ct) =>
        SendAsync<JsonNode?>(HttpMethod.Post, $"containers/{Uri.EscapeDataString(id)}/start", null, ct);

    public async Task<JsonObject?> InspectContainerAsync(string id, CancellationToken ct)
    {
        try { return await SendAsync<JsonObject>(HttpMethod.Get, $"containers/{Uri.EscapeDataString(id)}/json", null, ct); }
        catch (DockerApiException e) when (e.Status == HttpStatusCode.NotFound) { return null; }
    }

    public async Task RemoveContainerAsync(string id, CancellationToken ct)
    {
        try { await SendAsync<JsonNode?>(HttpMethod.Delete, $"containers/{Uri.EscapeDataString(id)}?force=1", null, ct); }
        catch (DockerApiException e) when (e.Status == HttpStatusCode.NotFound) { }
    }

    /// <summary>
    /// A tar of the file or folder at <paramref name="path"/> in a container's filesystem (created containers too), or
    /// null when there is nothing there. The caller disposes the response, which owns the stream.
    /// </summary>
    public async Task<HttpResponseMessage?> ArchiveAsync(string id, string path, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, await VersionedAsync($"containers/{Uri.EscapeDataString(id)}/archive?path={Uri.EscapeDataString(path)}", ct));
        try { return await SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, ct); }
        catch (DockerApiException e) when (e.Status == HttpStatusCode.NotFound) { return null; }
        finally { request.Dispose(); }
    }

    /// <summary>A container's output, line by line; when following, the stream ends when the container stops.</summary>
    public async IAsyncEnumerable<LogLine> ContainerLogsAsync(string id, bool follow, [EnumeratorCancellation] CancellationToken ct)
    {
        var path = $"containers/{Uri.EscapeDataString(id)}/logs?stdout=1&stderr=1&timestamps=1&follow={(follow ? 1 : 0)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, await VersionedAsync(path, ct));
        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        await foreach (var line in LogStreamReader.ReadAsync(body, ct)) yield return line;
    }

    public async Task<JsonArray> ListTasksAsync(string serviceId, CancellationToken ct) =>
        await SendAsync<JsonArray>(HttpMethod.Get, $"tasks?filters={Filters("service", serviceId)}", null, ct);

    /// <summary>Every task the swarm keeps, of every service (including removed services whose tasks linger).</summary>
    public async Task<JsonArray> ListAllTasksAsync(CancellationToken ct) => await SendAsync<JsonArray>(HttpMethod.Get, "tasks", null, ct);

    public async Task RemoveServiceAsync(string id, CancellationToken ct)
    {
        try { await SendAsync<JsonNode?>(HttpMethod.Delete, $"services/{Uri.EscapeDataString(id)}", null, ct); }
        catch (DockerApiException e) when (e.Status == HttpStatusCode.NotFound) { }
    }

    /// <summary>The id of the network with exactly this name, or null.</summary>
    public async Task<string?> NetworkIdAsync(string name, CancellationToken ct) =>
        (await SendAsync<JsonArray>(HttpMethod.Get, $"networks?filters={Filters("name", name)}", null, ct))
            .OfType<JsonObject>().FirstOrDefault(n => n["Name"]?.GetValue<string>() == name)?["Id"]?.GetValue<string>();

    /// <summary>Stops a container (SIGTERM, then SIGKILL after <paramref name="graceSeconds"/>); a container that is gone or stopped is fine.</summary>
    public async Task StopContainerAsync(string id, int graceSeconds, CancellationToken ct)
    {
        try { await SendAsync<JsonNode?>(HttpMethod.Post, $"containers/{Uri.EscapeDataString(id)}/stop?t={graceSeconds}", null, ct); }
        catch (DockerApiException e) when (e.Status is HttpStatusCode.NotFound or HttpStatusCode.NotModified) { }
    }

    /// <summary>A service's output (stdout and stderr demultiplexed), line by line, following it when asked.</summary>
    public async IAsyncEnumerable<LogLine> ServiceLogsAsync(string id, bool follow, [EnumeratorCancellation] CancellationToken ct)
    {
        var path = $"services/{Uri.EscapeDataString(id)}/logs?stdout=1&stderr=1&timestamps=1&follow={(follow ? 1 : 0)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, await VersionedAsync(path, ct));
        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        await foreach (var line in LogStreamReader.ReadAsync(body, ct)) yield return line;
    }

    private static string Filters(string key, string value) =>
        Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { [key] = [value] }));

    private async Task<string> VersionedAsync(string path, CancellationToken ct) => $"v{await ApiVersionAsync(ct)}/{path}";

    private async Task<T> SendAsync<T>(HttpMethod method, string path, JsonNode? body, CancellationToken ct, bool versioned = true)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ApiTimeout);
        using var request = new HttpRequestMessage(method, versioned ? await VersionedAsync(path, timeout.Token) : path);
        if (body is not null) request.Content = JsonContent.Create(body);
        try
        {
            using var response = await SendRawAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            if (response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0) return default!;
            return (await response.Content.ReadFromJsonAsync<T>(DockerJson.Options, timeout.Token))!;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ContainerManagerException($"The Docker daemon at {_address} did not answer within {ApiTimeout.TotalSeconds:0} s (container_manager.api_timeout).");
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken ct)
    {
        HttpResponseMessage response;
        try { response = await _http.SendAsync(request, completion, ct); }
        catch (HttpRequestException e)
        {
            throw new ContainerManagerException(
                $"The Docker daemon at {_address} is not reachable ({e.InnerException?.Message ?? e.Message}). Is dockerd running, and may the portal use its socket?", e);
        }
        if (response.IsSuccessStatusCode) return response;
        var text = await response.Content.ReadAsStringAsync(ct);
        response.Dispose();
        string message;
        try { message = JsonNode.Parse(text)?["message"]?.GetValue<string>() ?? text; }
        catch (JsonException) { message = text; }
        throw new DockerApiException(response.StatusCode, message.Trim());
    }

    public void Dispose() => _http.Dispose();
}
