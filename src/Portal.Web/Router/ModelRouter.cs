using Portal.Core.Errors;
using System.Text;
using System.Text.Json;
using Portal.Core.Configuration;
using Portal.Core.Entities;
using Portal.Core.Stores;

using Portal.Core.Routes;
using Portal.Core.Security;
using Portal.Web.Auth;

namespace Portal.Web.Router;

/// <summary>
/// The model router (Noronha's router island, Odahu's edge): <c>/model/{deployment}/…</c> goes to one of the
/// deployment's running replicas in turn, retrying the next when one refuses the connection; <c>/model/{route}/…</c>
/// first picks one of the route's deployments by weight (or by its sticky header) and queues a copy for its shadow.
/// Every request gets a <c>Request-ID</c> (the caller's, or a new one) and is recorded with its response, latency,
/// version and replica; <c>POST /feedback/model/{name}</c> with that Request-ID attaches feedback to it.
/// </summary>
public static class ModelRouter
{
    public const string RequestIdHeader = ModelInvoker.RequestIdHeader;
    private const int MaxBodyBytes = 64 * 1024 * 1024;

    public static void MapModelRouter(this WebApplication app, PortalConfig config)
    {
        // Mapped even when turned off, so router.enabled can change in Settings without a restart.
        app.Map("/model/{deployment}/{**path}", (string deployment, string? path, HttpContext http, ModelInvoker invoker, RouteTable routes,
                ShadowCopies shadows) => ForwardAsync(deployment, path ?? "", http, invoker, routes, shadows))
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

    private static async Task ForwardAsync(string name, string path, HttpContext http, ModelInvoker invoker, RouteTable routes, ShadowCopies shadows)
    {
        var ct = http.RequestAborted;
        var body = await ReadBodyAsync(http.Request, ct);
        if (body is null)
        {
            await ErrorAsync(http, 413, $"The request body is larger than {MaxBodyBytes / (1024 * 1024)} MB.");
            return;
        }
        var request = new ModelRequest(name, http.Request.Method, path, http.Request.QueryString.Value ?? "", body,
            http.Request.ContentType, ModelInvoker.RequestIdOf(http.Request.Headers[RequestIdHeader].FirstOrDefault()));
        if (await routes.FindAsync(name, ct) is { } route)
        {
            var sticky = RouteChoice.StickyValue(route, h => http.Request.Headers[h].FirstOrDefault(), body);
            request = request with { Deployment = RouteChoice.Pick(route.Targets, sticky), Route = route.Name };
            if (route.Shadow is { } shadow) shadows.Send(request with { Deployment = shadow, Shadow = true });
        }
        var answer = await invoker.InvokeAsync(request, ct);
        http.Response.Headers[RequestIdHeader] = answer.RequestId;
        if (answer.RetryAfterSeconds is { } retry) http.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.Response.StatusCode = answer.Status;
        http.Response.ContentType = answer.ContentType;
        await http.Response.Body.WriteAsync(answer.Body, ct);
    }

    private static async Task<IResult> FeedbackAsync(string deployment, HttpRequest request, Portal.Core.Deployments.DeploymentService deployments,
        RouteTable routes, IPredictionStore records, PredictionRecorder recorder, AccuracyWatch watch, TimeProvider clock, CancellationToken ct)
    {
        if (request.Headers[RequestIdHeader].FirstOrDefault() is not { Length: > 0 } requestId)
            return Results.Problem(statusCode: 400, title: "Request-ID is missing.", detail: "Send the Request-ID header of the prediction this feedback is about.");
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(ct);
        try { using var _ = JsonDocument.Parse(text); }
        catch (JsonException e) { return Results.Problem(statusCode: 400, title: "The feedback is not JSON.", detail: JsonProblem.Describe(e)); }
        // Through a route, the request went to one of its targets, and a copy to its shadow: the feedback labels both.
        var names = await routes.FindAsync(deployment, ct) is { } route
            ? [.. route.Targets.Select(t => t.Deployment), .. route.Shadow is { } s ? [s] : Array.Empty<string>()]
            : new[] { deployment };
        var ids = new List<long>();
        foreach (var name in names)
            try { ids.Add((await deployments.GetAsync(name, ct)).Id); }
            catch (NotFoundException) { }
        if (ids.Count == 0) return Results.Problem(statusCode: 404, title: $"There is no deployment or route named '{deployment}'.");
        await recorder.FlushAsync(ct);
        if (!await records.AttachFeedbackAsync(ids, requestId, text, clock.GetUtcNow().UtcDateTime, ct))
            return Results.Problem(statusCode: 404, title: "No such prediction.", detail: $"The deployment '{deployment}' served no request with Request-ID '{requestId}'.");
        foreach (var name in names) watch.Poke(name);
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

    private static Task ErrorAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(new { status = "error", message });
    }
}
