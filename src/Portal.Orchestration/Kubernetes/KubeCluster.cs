using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Portal.Core.Containers;
using Portal.Orchestration.Containers;

namespace Portal.Orchestration.Kubernetes;

/// <summary>
/// The portal's connection to one Kubernetes API server, through the official client (<see cref="Api"/>). What it
/// adds is the portal's contract at the manager boundary: every call runs under <c>container_manager.api_timeout</c>
/// (the client's own timeout is off, so watches and log follows last as long as the work), and the client's
/// exceptions become <see cref="ContainerManagerException"/>s that say what to do: a 403 names the Role to change,
/// an invalid object lists the server's field causes, an unreachable server or a failed TLS handshake says what to check.
/// </summary>
public sealed class KubeCluster(IKubernetes api, string server, string? contextNamespace, TimeSpan apiTimeout) : IDisposable
{
    public IKubernetes Api { get; } = api;
    public string Server { get; } = server;
    /// <summary>The namespace the kubeconfig context (or the service account) names, if any.</summary>
    public string? ContextNamespace { get; } = contextNamespace;
    public TimeSpan ApiTimeout { get; } = apiTimeout;

    /// <summary>One request under the API timeout; <paramref name="what"/> says what it was for in error messages.</summary>
    public Task<T> CallAsync<T>(string what, Func<IKubernetes, CancellationToken, Task<T>> call, CancellationToken ct) => EngineCalls.WithinAsync(
        ApiTimeout, t => call(Api, t),
        () => $"The Kubernetes API server at {Server} did not answer within {ApiTimeout.TotalSeconds:0} s (container_manager.api_timeout).",
        e => Translate(e, what), ct);

    public Task CallAsync(string what, Func<IKubernetes, CancellationToken, Task> call, CancellationToken ct) =>
        CallAsync<bool>(what, async (k, t) => { await call(k, t); return true; }, ct);

    /// <summary>Like <see cref="CallAsync{T}"/>, but an object the server does not have is null instead of an error.</summary>
    public async Task<T?> FindAsync<T>(string what, Func<IKubernetes, CancellationToken, Task<T>> call, CancellationToken ct) where T : class
    {
        try { return await CallAsync(what, call, ct); }
        catch (ContainerManagerException e) when (CodeOf(e) == 404) { return null; }
    }

    /// <summary>The HTTP status the server answered with, when the error came from the server.</summary>
    public static int? CodeOf(Exception e) => e switch
    {
        ContainerManagerException { InnerException: { } inner } => CodeOf(inner),
        HttpOperationException http => (int)http.Response.StatusCode,
        KubernetesException { Status.Code: { } code } => code,
        _ => null,
    };

    /// <summary>The client's failures as sentences; null for what is not the server's doing (cancellation, bugs).</summary>
    public ContainerManagerException? Translate(Exception e, string what) => e switch
    {
        ContainerManagerException known => known,
        HttpOperationException { Response.StatusCode: HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout } http =>
            new EngineUnreachableException(Explain((int)http.Response.StatusCode, http.Response.ReasonPhrase, StatusOf(http.Response.Content), what), e),
        HttpOperationException http => new ContainerManagerException(
            Explain((int)http.Response.StatusCode, http.Response.ReasonPhrase, StatusOf(http.Response.Content), what), e),
        KubernetesException { Status.Code: 502 or 503 or 504 } k =>
            new EngineUnreachableException(Explain(k.Status.Code ?? 503, k.Status.Reason, k.Status, what), e),
        KubernetesException k => new ContainerManagerException(Explain(k.Status?.Code ?? 500, k.Status?.Reason, k.Status, what), e),
        HttpRequestException { InnerException: AuthenticationException auth } => new ContainerManagerException(
            $"The TLS handshake with {Server} failed: {auth.Message} Check the cluster's certificate-authority in the kubeconfig " +
            "(or insecure-skip-tls-verify for a test cluster).", e),
        HttpRequestException { InnerException: SocketException s } =>
            new EngineUnreachableException($"Cannot reach the Kubernetes API server at {Server}: {s.Message}.", e),
        HttpRequestException h => new EngineUnreachableException($"Cannot reach the Kubernetes API server at {Server}: {h.Message}", e),
        _ => null,
    };

    /// <summary>The server's <c>Status</c> object, when the body is one.</summary>
    private static V1Status? StatusOf(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try { return KubernetesJson.Deserialize<V1Status>(body) is { Kind: "Status" } status ? status : null; }
        catch (System.Text.Json.JsonException) { return null; }
    }

    public static string Explain(int code, string? reason, V1Status? status, string what)
    {
        var message = status?.Message ?? "";
        // Invalid objects list each field's problem under details.causes.
        if (status?.Details?.Causes is { Count: > 0 } causes)
            message += " (" + string.Join("; ", causes.Select(c => $"{c.Field}: {c.Message}")) + ")";
        reason = status?.Reason ?? reason ?? ((HttpStatusCode)code).ToString();
        return code switch
        {
            401 => $"Kubernetes did not accept the portal's credentials ({what}). The token or client certificate in the kubeconfig is wrong or expired.",
            403 => $"Kubernetes refused {what}: the portal's service account lacks the permission. Grant it in the portal's Role " +
                   $"(deploy/kubernetes/portal-rbac.yaml). The server said: {message}",
            404 => $"Kubernetes has no such object ({what}): {message}",
            409 => $"Kubernetes refused {what} because of a conflict: {message}",
            410 => $"Kubernetes says the watch is too old ({what}); it is started again.",
            422 => $"Kubernetes refused {what} as invalid: {message}",
            >= 500 => $"The Kubernetes API server failed on {what} ({code} {reason}): {message}",
            _ => $"Kubernetes answered {code} {reason} to {what}: {message}",
        };
    }

    public void Dispose() => Api.Dispose();
}
