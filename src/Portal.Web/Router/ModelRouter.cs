using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Portal.Core.Configuration;
using Portal.Core.Entities;
using Portal.Core.Stores;

using Portal.Core.Security;
using Portal.Web.Auth;

namespace Portal.Web.Router;

/// <summary>
/// The model router (Noronha's router island, Odahu's edge): <c>/model/{deployment}/…</c> goes to one of the
/// deployment's running replicas in turn, retrying the next when one refuses the connection. Every request gets
/// a <c>Request-ID</c> (the caller's, or a new one) and is recorded with its response, latency, version and
/// replica; <c>POST /feedback/model/{deployment}</c> with that Request-ID attaches feedback to it.
/// </summary>
public static class ModelRouter
{
    public const string RequestIdHeader = "Request-ID";
    public const string HttpClientName = "model-router";
    private const int MaxBodyBytes = 64 * 1024 * 1024;
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(750)];

    public static void MapModelRouter(this WebApplication app, PortalConfig config)
    {
        // Mapped even when turned off, so router.enabled can change in Settings without a restart.
        app.Map("/model/{deployment}/{**path}", (string deployment, string? path, HttpContext http, ReplicaDirectory replicas, IHttpClientFactory clients,
                PredictionRecorder recorder, TimeProvider clock) => ForwardAsync(deployment, path ?? "", http, replicas, clients, recorder, config, clock))
            .ExcludeFromDescription().RequireAuthorization(PortalPolicies.Read).AddEndpointFilter(async (context, next) =>
            {
                // Reading a model's info is a viewer's; invoking it (any other method) is a data scientist's.
                var http = context.HttpContext;
                if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || PortalPolicies.HasRole(http.User, Roles.DataScientist))
                    return await next(context);
                await http.RequestServices.GetRequiredService<AuditLog>().RecordAsync($"{http.Request.Method} {http.Request.Path}", null, AuditOutcome.Denied,
                    "invoking a model needs the data_scientist role", http.RequestAborted);
                return Results.Problem(statusCode: 403, title: "Your roles do not allow this.", detail: "Invoking a model needs the data_scientist role.");
            });
        app.MapPost("/feedback/model/{deployment}", FeedbackAsync).RequirePolicyByMethod().WithTags("Router")
            .WithSummary("Attach JSON feedback to a prediction: send the prediction's Request-ID header and any JSON body.");
    }

    private static async Task ForwardAsync(string name, string path, HttpContext http, ReplicaDirectory directory, IHttpClientFactory clients,
        PredictionRecorder recorder, PortalConfig config, TimeProvider clock)
    {
        if (!config.Router.Enabled)
        {
            await ErrorAsync(http, 503, "The model router is turned off (router.enabled); an admin can turn it on in Settings.");
            return;
        }
        var ct = http.RequestAborted;
        var requestId = http.Request.Headers[RequestIdHeader].FirstOrDefault() is { Length: > 0 and <= 128 } given ? given : Guid.NewGuid().ToString("N");
        http.Response.Headers[RequestIdHeader] = requestId;
        var body = await ReadBodyAsync(http.Request, ct);
        if (body is null)
        {
            await ErrorAsync(http, 413, $"The request body is larger than {MaxBodyBytes / (1024 * 1024)} MB.");
            return;
        }
        var client = clients.CreateClient(HttpClientName);
        var started = Stopwatch.GetTimestamp();
        // Later rounds ask the manager afresh: replicas may have moved (a scale, a roll, a removal). The last ones wait
        // a little first, for the moment in a roll when the engine has not yet published the new replica's address.
        for (var round = 0; round < RetryDelays.Length + 2; round++)
        {
            if (round > 0) directory.Invalidate(name);
            if (round > 1) await Task.Delay(RetryDelays[round - 2], ct);
            if (await directory.ResolveAsync(name, ct) is not { } target)
            {
                await ErrorAsync(http, 404, $"There is no deployment named '{name}'.");
                return;
            }
            foreach (var endpoint in target.Endpoints)
            {
                using var request = new HttpRequestMessage(new HttpMethod(http.Request.Method), $"{endpoint}/{path}{http.Request.QueryString}");
                if (body.Length > 0 || HttpMethods.IsPost(http.Request.Method))
                {
                    request.Content = new ByteArrayContent(body);
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", http.Request.ContentType ?? "application/json");
                }
                request.Headers.TryAddWithoutValidation(RequestIdHeader, requestId);
                HttpResponseMessage response;
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    timeout.CancelAfter(TimeSpan.FromSeconds(config.Router.TimeoutSeconds));
                    response = await client.SendAsync(request, timeout.Token);
                }
                catch (HttpRequestException)
                {
                    // The replica is gone or not listening yet (starting, or stopping in a roll): try the next one.
                    directory.MarkRefused(name, endpoint);
                    continue;
                }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested)
                {
                    await ErrorAsync(http, 504, $"The replica did not answer within {config.Router.TimeoutSeconds} s (router.timeout_seconds).");
                    return;
                }
                using (response)
                {
                    var answer = await response.Content.ReadAsByteArrayAsync(ct);
                    http.Response.StatusCode = (int)response.StatusCode;
                    http.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "application/json";
                    await http.Response.Body.WriteAsync(answer, ct);
                    if (config.Router.RecordRequests)
                        recorder.Record(new PredictionRecord
                        {
                            DeploymentId = target.Deployment.Id, RequestId = requestId, Path = path, At = clock.GetUtcNow().UtcDateTime,
                            LatencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds, Status = (int)response.StatusCode,
                            ModelVersion = target.Deployment.ModelVersionName, Replica = endpoint, Request = Cut(body), Response = Cut(answer),
                        });
                }
                return;
            }
        }
        await ErrorAsync(http, 503, $"The deployment '{name}' has no replica answering yet; it may be starting.");
    }

    private static async Task<IResult> FeedbackAsync(string deployment, HttpRequest request, ReplicaDirectory directory, IPredictionStore records,
        PredictionRecorder recorder, TimeProvider clock, CancellationToken ct)
    {
        if (request.Headers[RequestIdHeader].FirstOrDefault() is not { Length: > 0 } requestId)
            return Results.Problem(statusCode: 400, title: "Request-ID is missing.", detail: "Send the Request-ID header of the prediction this feedback is about.");
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(ct);
        try { using var _ = JsonDocument.Parse(text); }
        catch (JsonException e) { return Results.Problem(statusCode: 400, title: "The feedback is not JSON.", detail: e.Message); }
        if (await directory.ResolveAsync(deployment, ct) is not { } target)
            return Results.Problem(statusCode: 404, title: $"There is no deployment named '{deployment}'.");
        await recorder.FlushAsync(ct);
        if (!await records.AttachFeedbackAsync(target.Deployment.Id, requestId, text, clock.GetUtcNow().UtcDateTime, ct))
            return Results.Problem(statusCode: 404, title: "No such prediction.", detail: $"The deployment '{deployment}' served no request with Request-ID '{requestId}'.");
        return Results.Ok(new { request_id = requestId, stored = true });
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static string Cut(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        return text.Length <= PredictionRecord.MaxBodyChars ? text : text[..PredictionRecord.MaxBodyChars];
    }

    private static Task ErrorAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(new { status = "error", message });
    }
}
