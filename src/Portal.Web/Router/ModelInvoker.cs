using System.Diagnostics;
using Portal.Core.Configuration;
using Portal.Core.Entities;

namespace Portal.Web.Router;

/// <summary>
/// One request to a model, as the router sends it: to the deployment's replicas in turn, recorded with its answer, the
/// route it came through and whether it is a shadow's copy.
/// </summary>
public sealed record ModelRequest(string Deployment, string Method, string Path, string Query, byte[] Body, string? ContentType, string? RequestId,
    string? Route = null, bool Shadow = false);

/// <summary>A model's answer, or the router's own error (status and a sentence) when no replica gave one.</summary>
public sealed record ModelAnswer(int Status, string ContentType, byte[] Body, string RequestId, bool FromModel, int? RetryAfterSeconds = null);

/// <summary>
/// Sends a request to one of a deployment's running replicas in turn, retrying the next when one refuses the connection,
/// and records it with its response, latency, version and replica. The router's endpoint and the deployment page's
/// "try it" both call it, so a page never calls the portal's own router over HTTP.
/// </summary>
public sealed class ModelInvoker(ReplicaDirectory directory, IHttpClientFactory clients, PredictionRecorder recorder, IdleSleeper idle, ColdStarts coldStarts,
    PortalConfig config, TimeProvider clock)
{
    public const string RequestIdHeader = "Request-ID";
    public const string HttpClientName = "model-router";
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(750)];

    public async Task<ModelAnswer> InvokeAsync(ModelRequest request, CancellationToken ct)
    {
        var requestId = RequestIdOf(request.RequestId);
        if (!config.Router.Enabled) return Error(503, "The model router is turned off (router.enabled); an admin can turn it on in Settings.", requestId);
        var client = clients.CreateClient(HttpClientName);
        var started = Stopwatch.GetTimestamp();
        idle.Touch(request.Deployment);
        // The first round's replicas, asked once (each ask moves the round robin on).
        var first = await directory.ResolveAsync(request.Deployment, ct);
        if (first is { Deployment.Sleeping: true } asleep)
        {
            if (!await coldStarts.WakeAsync(asleep.Deployment, ct))
                return Error(503, $"The deployment '{request.Deployment}' was asleep after idling and is starting; ask again in a few seconds.", requestId)
                    with { RetryAfterSeconds = ColdStarts.RetryAfterSeconds };
            directory.Invalidate(request.Deployment);
            first = await directory.ResolveAsync(request.Deployment, ct);
        }
        // Later rounds ask the manager afresh: replicas may have moved (a scale, a roll, a removal). The last ones wait
        // a little first, for the moment in a roll when the engine has not yet published the new replica's address.
        for (var round = 0; round < RetryDelays.Length + 2; round++)
        {
            if (round > 0) directory.Invalidate(request.Deployment);
            if (round > 1) await Task.Delay(RetryDelays[round - 2], ct);
            if ((round == 0 ? first : await directory.ResolveAsync(request.Deployment, ct)) is not { } target)
                return Error(404, $"There is no deployment named '{request.Deployment}'.", requestId);
            foreach (var endpoint in target.Endpoints)
            {
                using var message = new HttpRequestMessage(new HttpMethod(request.Method), $"{endpoint}/{request.Path}{request.Query}");
                if (request.Body.Length > 0 || request.Method == HttpMethod.Post.Method)
                {
                    message.Content = new ByteArrayContent(request.Body);
                    message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType ?? "application/json");
                }
                message.Headers.TryAddWithoutValidation(RequestIdHeader, requestId);
                HttpResponseMessage response;
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    timeout.CancelAfter(TimeSpan.FromSeconds(config.Router.TimeoutSeconds));
                    response = await client.SendAsync(message, timeout.Token);
                }
                catch (HttpRequestException)
                {
                    // The replica is gone or not listening yet (starting, or stopping in a roll): try the next one.
                    directory.MarkRefused(request.Deployment, endpoint);
                    continue;
                }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested)
                {
                    return Error(504, $"The replica did not answer within {config.Router.TimeoutSeconds} s (router.timeout_seconds).", requestId);
                }
                using (response)
                {
                    idle.Touch(request.Deployment);
                    var answer = await response.Content.ReadAsByteArrayAsync(ct);
                    if (config.Router.RecordRequests)
                        recorder.Record(new PredictionRecord
                        {
                            DeploymentId = target.Deployment.Id, RequestId = requestId, Path = request.Path, At = clock.GetUtcNow().UtcDateTime,
                            LatencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds, Status = (int)response.StatusCode,
                            ModelVersion = target.Deployment.ModelVersionName, Replica = endpoint,
                            Route = request.Route, Shadow = request.Shadow,
                        }, request.Body, answer);
                    return new ModelAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.ToString() ?? "application/json", answer, requestId, true);
                }
            }
        }
        return Error(503, $"The deployment '{request.Deployment}' has no replica answering yet; it may be starting.", requestId);
    }

    /// <summary>The caller's Request-ID when it sent a usable one, else a new one.</summary>
    public static string RequestIdOf(string? given) => given is { Length: > 0 and <= 128 } ? given : Guid.NewGuid().ToString("N");

    private static ModelAnswer Error(int status, string message, string requestId) =>
        new(status, "application/json", System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { status = "error", message }), requestId, false);
}
