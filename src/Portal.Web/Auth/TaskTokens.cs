using Portal.Core.Entities;
using Portal.Core.Trainings;
using Portal.Core.WorkFiles;

namespace Portal.Web.Auth;

/// <summary>
/// Endpoints a running task calls with its own token (<c>PORTAL_TASK_TOKEN</c>) instead of a user's: the one check of
/// that token. The training it stands for is kept on the request for the endpoint.
/// </summary>
public static class TaskTokens
{
    private static readonly object Key = new();

    /// <summary>
    /// Admits a request whose bearer token is a training's task token (401 otherwise). With <paramref name="running"/>, only
    /// while that training runs; else the endpoint decides what an ended training may still do.
    /// </summary>
    public static TBuilder RequireTaskToken<TBuilder>(this TBuilder builder, bool running = false) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var header = http.Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
                return Results.Problem(statusCode: 401, title: "A task token is required.", detail: "Send 'Authorization: Bearer <PORTAL_TASK_TOKEN>'.");
            var training = await http.RequestServices.GetRequiredService<TrainingService>().FindByTaskTokenAsync(header["Bearer ".Length..].Trim(), http.RequestAborted);
            if (training is null) return Results.Problem(statusCode: 401, title: "Not allowed.", detail: "The task token is not valid.");
            if (running && training.Task.State is not (TaskState.Running or TaskState.Waiting))
                return Results.Problem(statusCode: 401, title: "Not allowed.",
                    detail: $"The training '{training.Name}' is {training.Task.State.ToString().ToUpperInvariant()}; its token admits nothing more.");
            http.Items[Key] = training;
            return await next(context);
        }).AllowAnonymous();

    /// <summary>
    /// Admits work fetching its files through the portal: a running training's task token or a deployment's grant
    /// (<see cref="WorkFilesService.AdmitAsync"/>); 401 otherwise. The caller is kept on the request for the endpoint.
    /// </summary>
    public static TBuilder RequireWorkToken<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var header = http.Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
                return Results.Problem(statusCode: 401, title: "A task token is required.", detail: "Send 'Authorization: Bearer <PORTAL_TASK_TOKEN>'.");
            var (caller, refusal) = await http.RequestServices.GetRequiredService<WorkFilesService>()
                .AdmitAsync(header["Bearer ".Length..].Trim(), http.RequestAborted);
            if (caller is null) return Results.Problem(statusCode: 401, title: "Not allowed.", detail: refusal);
            http.Items[Key] = caller;
            return await next(context);
        }).AllowAnonymous();

    /// <summary>The training or deployment whose token <see cref="RequireWorkToken{TBuilder}"/> admitted.</summary>
    public static WorkCaller WorkCaller(this HttpContext http) =>
        http.Items[Key] as WorkCaller ?? throw new InvalidOperationException("The endpoint has no RequireWorkToken filter.");

    /// <summary>The training whose token <see cref="RequireTaskToken{TBuilder}"/> admitted.</summary>
    public static Training TaskTraining(this HttpContext http) =>
        http.Items[Key] as Training ?? throw new InvalidOperationException("The endpoint has no RequireTaskToken filter.");
}
