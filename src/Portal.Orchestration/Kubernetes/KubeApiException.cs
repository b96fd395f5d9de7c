namespace Portal.Orchestration.Kubernetes;

/// <summary>
/// The API server answered with an error (its <c>Status</c> object: code, reason, message). <see cref="ToUserError"/>
/// turns it into a sentence for people; callers branch on <see cref="Code"/> (404 absent, 409 exists, 410 stale watch).
/// </summary>
public sealed class KubeApiException(int code, string reason, string message, string what) : Exception($"{what}: {code} {reason}: {message}")
{
    public int Code { get; } = code;
    public string Reason { get; } = reason;
    public string ServerMessage { get; } = message;
    public string What { get; } = what;

    public Portal.Core.Containers.ContainerManagerException ToUserError() => new(Code switch
    {
        401 => $"Kubernetes did not accept the portal's credentials ({What}). The token or client certificate in the kubeconfig is wrong or expired.",
        403 => $"Kubernetes refused {What}: the portal's service account lacks the permission. Grant it in the portal's Role (deploy/kubernetes/portal-rbac.yaml). The server said: {ServerMessage}",
        404 => $"Kubernetes has no such object ({What}): {ServerMessage}",
        409 => $"Kubernetes refused {What} because of a conflict: {ServerMessage}",
        410 => $"Kubernetes says the watch is too old ({What}); it is started again.",
        422 => $"Kubernetes refused {What} as invalid: {ServerMessage}",
        >= 500 => $"The Kubernetes API server failed on {What} ({Code} {Reason}): {ServerMessage}",
        _ => $"Kubernetes answered {Code} {Reason} to {What}: {ServerMessage}",
    }, this);
}
