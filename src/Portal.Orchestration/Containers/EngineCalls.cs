using Portal.Core.Containers;

namespace Portal.Orchestration.Containers;

/// <summary>
/// How the engine connections (Docker, Kubernetes) make one request: under <c>container_manager.api_timeout</c>, with
/// the client library's failures turned into <see cref="ContainerManagerException"/> sentences at the boundary.
/// </summary>
public static class EngineCalls
{
    public static async Task<T> WithinAsync<T>(
        TimeSpan timeout, Func<CancellationToken, Task<T>> call, Func<string> timedOut, Func<Exception, ContainerManagerException?> translate,
        CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try { return await call(limit.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { throw new EngineUnreachableException(timedOut()); }
        catch (Exception e) when (translate(e) is { } error) { throw error; }
    }
}
