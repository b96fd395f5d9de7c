using Portal.Core.Security;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Entities;
using Portal.Core.Services;
using Portal.Web.Auth;

namespace Portal.Web.Api;

public static class ModelVersionsApi
{
    public sealed record VersionDto(string Name, string Model, string? Training, string? Dataset, string? Pretrained, string? BuildTag,
        Dictionary<string, JsonElement> Details, bool Compressed, IReadOnlyList<StoredFile> Files, StoredFile? Archive,
        IReadOnlyList<string> Environments, IReadOnlyList<Promotion> Promotions, DateTime CreatedAt);

    public sealed record PromoteDto(string Environment, string? Comment);

    public static VersionDto ToDto(this ModelVersion v, ModelVersionService s) => new(v.Name, v.Model?.Name ?? "", v.TrainingName, v.DatasetName,
        v.Pretrained is { } p ? $"{p.Model?.Name}/{p.Name}" : null, v.BuildVersion?.Tag, v.Details, v.Compressed, v.Files, v.Archive,
        s.EnvironmentsOf(v), v.Promotions, v.CreatedAt);

    public static void MapModelVersionsApi(this RouteGroupBuilder v1)
    {
        var limits = ((IEndpointRouteBuilder)v1).ServiceProvider.GetRequiredService<UploadLimits>();
        var requestLimit = new RequestSizeLimitAttribute(limits.MaxUploadBytes + 1024 * 1024);
        var g = v1.MapGroup("/").WithTags("Model versions");

        g.MapGet("/model-versions", async ([AsParameters] ListQuery q, string? model, ModelVersionService s, CancellationToken ct) =>
                (await s.ListAsync(model, q.ToPageRequest(), ct)).ToDto(v => v.ToDto(s)))
            .WithSummary("List model versions, newest first (sort by created_at, name or model; filter by model).");

        g.MapGet("/models/{model}/versions", async (string model, [AsParameters] ListQuery q, ModelVersionService s, CancellationToken ct) =>
            (await s.ListAsync(model, q.ToPageRequest(), ct)).ToDto(v => v.ToDto(s)));

        g.MapGet("/models/{model}/versions/{name}", async (string model, string name, ModelVersionService s, CancellationToken ct) =>
                (await s.GetAsync(model, name, ct)).ToDto(s))
            .ProducesProblem(StatusCodes.Status404NotFound);

        g.MapPost("/models/{model}/versions", async (string model, HttpRequest request, ModelVersionService s, CancellationToken ct) =>
            {
                var version = await MultipartUpload.ReceiveAsync(request, fields => s.BeginUploadAsync(model, Draft(fields), ct), u => u.CommitAsync(ct), ct);
                return Results.Created($"/api/v1/models/{model}/versions/{version.Name}", version.ToDto(s));
            })
            .Accepts<IFormFile>("multipart/form-data")
            .WithSummary("Upload a model version by hand: fields 'name' (empty: next number), 'compress', 'details' (JSON), 'dataset', 'pretrained' (model/version), then one part per file.")
            .WithMetadata(requestLimit)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        g.MapPost("/models/{model}/versions/{name}/promote", async (string model, string name, PromoteDto promote, HttpContext http, ModelVersionService s, CancellationToken ct) =>
                (await s.PromoteAsync(model, name, promote.Environment, promote.Comment, ct)).ToDto(s))
            .WithSummary("Promote a version to the next environment (dev → test → prod by default) with a comment.")
            .ProducesProblem(StatusCodes.Status409Conflict);

        g.MapDelete("/models/{model}/versions/{name}", async (string model, string name, ModelVersionService s, CancellationToken ct) =>
            {
                await s.DeleteAsync(model, name, ct);
                return Results.NoContent();
            })
            .WithSummary("Delete a version and its files; refused while a deployment serves it.")
            .ProducesProblem(StatusCodes.Status409Conflict);

        g.MapGet("/models/{model}/versions/{name}/files/{file}", async (string model, string name, string file, ModelVersionService s, CancellationToken ct) =>
            {
                var download = await s.OpenFileAsync(model, name, file, ct);
                return Results.Stream(download.Content, "application/octet-stream", download.Name);
            });

        g.MapGet("/models/{model}/versions/{name}/archive", async (string model, string name, ModelVersionService s, CancellationToken ct) =>
            {
                var download = await s.OpenArchiveAsync(model, name, ct);
                return Results.Stream(download.Content, "application/gzip", download.Name);
            });

        v1.MapPost("/tasks/publish", async (HttpRequest request, string model, ModelVersionService s, CancellationToken ct) =>
            {
                var training = request.HttpContext.TaskTraining();
                // The task token stands for the training; its publications are audited as the task's.
                using var actor = ActorContext.Use(new Actor("task", [], request.HttpContext.Connection.RemoteIpAddress?.ToString()));
                var version = await MultipartUpload.ReceiveAsync(request, fields => s.BeginPublishAsync(training, model, Draft(fields), ct), u => u.CommitAsync(ct), ct);
                return Results.Created($"/api/v1/models/{model}/versions/{version.Name}", version.ToDto(s));
            })
            .RequireTaskToken().WithTags("Tasks")
            .WithMetadata(requestLimit)
            .WithSummary("A running training publishes a model version (multipart as for uploads); its training, dataset, pretrained version, build and metrics come along.");
    }

    private static VersionDraft Draft(IReadOnlyDictionary<string, string> f) => new(f.GetValueOrDefault("name"), f.Flag("compress"),
        f.GetValueOrDefault("details"), f.GetValueOrDefault("dataset"), f.GetValueOrDefault("pretrained"), f.GetValueOrDefault("publish_id"));
}
