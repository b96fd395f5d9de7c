using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Core.Containers;

namespace Portal.Orchestration.Kubernetes;

/// <summary>
/// A small typed client of the Kubernetes REST API (KubernetesClient is not in the registry): JSON over HttpClient,
/// the subset the portal uses: create, get, list, merge-patch, delete, watch streams (chunked JSON lines) and pod log
/// follow. Paths are API paths (<c>apis/batch/v1/namespaces/ns/jobs</c>). Failures become <see cref="KubeApiException"/>
/// (with the server's Status) or, for the network, <see cref="ContainerManagerException"/> sentences.
/// </summary>
public sealed class KubernetesClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly KubeConnection _connection;
    private string? _token;
    private DateTime _tokenRead;

    public KubernetesClient(KubeConnection connection, TimeSpan apiTimeout)
    {
        _connection = connection;
        ApiTimeout = apiTimeout;
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), ConnectTimeout = apiTimeout };
        handler.SslOptions.TargetHost = connection.TlsServerName;
        if (connection.ClientCertificate is { } certificate) handler.SslOptions.ClientCertificates = [certificate];
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, chain, errors) => Trusted(cert, errors);
        // Watches and log follows last as long as the work: the timeout applies per call through tokens instead.
        _http = new HttpClient(handler) { BaseAddress = new Uri(connection.Server.ToString().TrimEnd('/') + "/"), Timeout = Timeout.InfiniteTimeSpan };
    }

    public TimeSpan ApiTimeout { get; }
    public Uri Server => _connection.Server;
    public string? DefaultNamespace => _connection.Namespace;

    public async Task<JsonObject> CreateAsync(string path, JsonObject body, CancellationToken ct) =>
        (await SendAsync(HttpMethod.Post, path, Json(body), $"creating {Describe(body, path)}", ct))!;

    /// <summary>The object, or null when it does not exist.</summary>
    public async Task<JsonObject?> GetAsync(string path, CancellationToken ct)
    {
        try { return await SendAsync(HttpMethod.Get, path, null, $"reading {path}", ct); }
        catch (KubeApiException e) when (e.Code == 404) { return null; }
    }

    /// <summary>A list (its <c>items</c> and <c>metadata.resourceVersion</c>, where a watch can start).</summary>
    public async Task<JsonObject> ListAsync(string path, string? labelSelector, CancellationToken ct) =>
        (await SendAsync(HttpMethod.Get, WithQuery(path, ("labelSelector", labelSelector)), null, $"listing {path}", ct))!;

    /// <summary>A JSON merge patch (RFC 7386): only the fields given change.</summary>
    public async Task<JsonObject> PatchAsync(string path, JsonObject patch, CancellationToken ct)
    {
        var content = new StringContent(patch.ToJsonString(), Encoding.UTF8, "application/merge-patch+json");
        return (await SendAsync(HttpMethod.Patch, path, content, $"changing {path}", ct))!;
    }

    /// <summary>Deletes the object and, in the background, what it owns (a Job's pods); false when it was already gone.</summary>
    public async Task<bool> DeleteAsync(string path, CancellationToken ct)
    {
        var options = new JsonObject { ["kind"] = "DeleteOptions", ["apiVersion"] = "v1", ["propagationPolicy"] = "Background" };
        try
        {
            await SendAsync(HttpMethod.Delete, path, Json(options), $"deleting {path}", ct);
            return true;
        }
        catch (KubeApiException e) when (e.Code == 404) { return false; }
    }

    /// <summary>
    /// Changes to the objects under <paramref name="path"/> from <paramref name="resourceVersion"/> on, until the server
    /// closes the stream or <paramref name="ct"/> ends. A stale version ends it with a <see cref="KubeApiException"/> 410:
    /// list again and watch from the list's version.
    /// </summary>
    public async IAsyncEnumerable<KubeWatchEvent> WatchAsync(string path, string? labelSelector, string? resourceVersion, [EnumeratorCancellation] CancellationToken ct)
    {
        var query = WithQuery(path, ("watch", "true"), ("labelSelector", labelSelector), ("resourceVersion", resourceVersion), ("allowWatchBookmarks", "true"));
        using var response = await OpenStreamAsync(query, $"watching {path}", ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct), Encoding.UTF8);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0) continue;
            var e = JsonNode.Parse(line) as JsonObject ?? throw new ContainerManagerException($"The API server sent a watch event that is not JSON ({path}).");
            var type = e["type"]?.GetValue<string>() ?? "";
            var obj = e["object"] as JsonObject ?? new JsonObject();
            if (type == "ERROR") throw StatusError(obj, $"watching {path}", (int?)obj["code"] ?? 500);
            yield return new KubeWatchEvent(type, obj);
        }
    }

    /// <summary>A pod's output line by line (with the server's timestamps when asked), and when following, what comes next.</summary>
    public async IAsyncEnumerable<string> ReadLogAsync(string ns, string pod, string? container, bool follow, bool timestamps, [EnumeratorCancellation] CancellationToken ct)
    {
        var path = WithQuery($"api/v1/namespaces/{ns}/pods/{pod}/log", ("container", container), ("follow", follow ? "true" : null), ("timestamps", timestamps ? "true" : null));
        using var response = await OpenStreamAsync(path, $"reading the log of pod {pod}", ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct), Encoding.UTF8);
        while (await reader.ReadLineAsync(ct) is { } line) yield return line;
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> OpenStreamAsync(string path, string what, CancellationToken ct)
    {
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct);
        connect.CancelAfter(ApiTimeout);
        HttpResponseMessage response;
        try { response = await _http.SendAsync(await RequestAsync(HttpMethod.Get, path, null, ct), HttpCompletionOption.ResponseHeadersRead, connect.Token); }
        catch (Exception e) when (!ct.IsCancellationRequested && Unreachable(e) is { } problem) { throw new ContainerManagerException(problem, e); }
        if (response.IsSuccessStatusCode) return response;
        using (response) throw await ErrorAsync(response, what, ct);
    }

    private async Task<JsonObject?> SendAsync(HttpMethod method, string path, HttpContent? content, string what, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ApiTimeout);
        HttpResponseMessage response;
        try { response = await _http.SendAsync(await RequestAsync(method, path, content, ct), timeout.Token); }
        catch (Exception e) when (!ct.IsCancellationRequested && Unreachable(e) is { } problem) { throw new ContainerManagerException(problem, e); }
        using (response)
        {
            if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, what, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            return text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject;
        }
    }

    private async Task<HttpRequestMessage> RequestAsync(HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (await TokenAsync(ct) is { } token) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        else if (_connection.Username is { } user)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{_connection.Password}")));
        return request;
    }

    /// <summary>The bearer token: given, or read from its file again when the file changed (rotated service-account tokens).</summary>
    private async Task<string?> TokenAsync(CancellationToken ct)
    {
        if (_connection.Token is { } token) return token;
        if (_connection.TokenFile is not { } file) return null;
        var changed = File.GetLastWriteTimeUtc(file);
        if (_token is null || changed != _tokenRead)
        {
            _token = (await File.ReadAllTextAsync(file, ct)).Trim();
            _tokenRead = changed;
        }
        return _token;
    }

    private bool Trusted(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (_connection.InsecureSkipTlsVerify) return true;
        if (_connection.CertificateAuthorities is not { } authorities) return errors == SslPolicyErrors.None;
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
        // The cluster's own CA, not the machine's trust store, vouches for the API server.
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(certificate));
    }

    private string? Unreachable(Exception e) => e switch
    {
        OperationCanceledException => $"The Kubernetes API server at {Server} did not answer within {ApiTimeout.TotalSeconds:0} s (container_manager.api_timeout).",
        HttpRequestException { InnerException: System.Security.Authentication.AuthenticationException auth } =>
            $"The TLS handshake with {Server} failed: {auth.Message} Check the cluster's certificate-authority in the kubeconfig (or insecure-skip-tls-verify for a test cluster).",
        HttpRequestException { InnerException: SocketException s } => $"Cannot reach the Kubernetes API server at {Server}: {s.Message}.",
        HttpRequestException h => $"Cannot reach the Kubernetes API server at {Server}: {h.Message}",
        _ => null,
    };

    private static async Task<KubeApiException> ErrorAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonObject? status = null;
        try { status = JsonNode.Parse(text) as JsonObject; }
        catch (JsonException) { }
        return status is not null && status["kind"]?.GetValue<string>() == "Status"
            ? StatusError(status, what, (int)response.StatusCode)
            : new KubeApiException((int)response.StatusCode, response.ReasonPhrase ?? "", text.Length > 500 ? text[..500] : text, what);
    }

    private static KubeApiException StatusError(JsonObject status, string what, int code)
    {
        var message = status["message"]?.GetValue<string>() ?? "";
        // Invalid objects list each field's problem under details.causes.
        if (status["details"]?["causes"] is JsonArray causes && causes.Count > 0)
            message += " (" + string.Join("; ", causes.Select(c => $"{c?["field"]?.GetValue<string>()}: {c?["message"]?.GetValue<string>()}")) + ")";
        return new KubeApiException((int?)status["code"] ?? code, status["reason"]?.GetValue<string>() ?? "", message, what);
    }

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static string Describe(JsonObject body, string path) =>
        body["kind"]?.GetValue<string>() is { } kind ? $"{kind} {body["metadata"]?["name"]?.GetValue<string>()}" : path;

    private static string WithQuery(string path, params (string Key, string? Value)[] query)
    {
        var given = query.Where(q => !string.IsNullOrEmpty(q.Value)).Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value!)}").ToList();
        return given.Count == 0 ? path : $"{path}{(path.Contains('?') ? '&' : '?')}{string.Join('&', given)}";
    }
}
