using Microsoft.AspNetCore.Mvc;
using Portal.Core.Errors;
using Portal.Core.Services;
using static Portal.Web.Api.ApiModels;

namespace Portal.Web.Api;

public static class DatasetsApi
{
    public static void MapDatasetsApi(this RouteGroupBuilder v1)
    {
        var limits = ((IEndpointRouteBuilder)v1).ServiceProvider.GetRequiredService<UploadLimits>();
        var g = v1.MapGroup("/").WithTags("Datasets");

        g.MapGet("/datasets", async ([AsParameters] ListQuery q, string? model, DatasetService s, CancellationToken ct) =>
            (await s.ListAsync(model, q.ToPageRequest(), ct)).ToDto(d => d.ToDto()))
            .WithSummary("List datasets, optionally of one model (sort by name, model or created_at).");

        g.MapGet("/models/{model}/datasets", async (string model, [AsParameters] ListQuery q, DatasetService s, CancellationToken ct) =>
            (await s.ListAsync(model, q.ToPageRequest(), ct)).ToDto(d => d.ToDto()));

        g.MapGet("/models/{model}/datasets/{name}", async (string model, string name, DatasetService s, CancellationToken ct) =>
            (await s.GetAsync(model, name, ct)).ToDto())
            .ProducesProblem(StatusCodes.Status404NotFound);

        g.MapPost("/models/{model}/datasets/check", async (string model, DatasetPlanDto plan, DatasetService s, CancellationToken ct) =>
            {
                await s.CheckPlanAsync(model, new DatasetDraft(plan.Name, plan.Compress, DetailsText(plan.Details)),
                    plan.Files.Select(f => new PlannedFile(f.Name, f.Size)).ToList(), ct);
                return Results.NoContent();
            })
            .WithSummary("Check a dataset before uploading it: name, required files, max_mb and the upload limit, from file names and sizes.");

        g.MapPost("/models/{model}/datasets", async (string model, HttpRequest request, DatasetService s, CancellationToken ct) =>
            {
                var dataset = await ReceiveUploadAsync(model, request, s, ct);
                return Results.Created($"/api/v1/models/{model}/datasets/{dataset.Name}", dataset.ToDto());
            })
            .Accepts<IFormFile>("multipart/form-data")
            .WithSummary("Upload a dataset: multipart/form-data with fields 'name', 'compress' (true/false) and 'details' (JSON), then one part per file.")
            .WithMetadata(new RequestSizeLimitAttribute(limits.MaxUploadBytes + 1024 * 1024))
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        g.MapPut("/models/{model}/datasets/{name}", async (string model, string name, DatasetUpdateDto update, DatasetService s, CancellationToken ct) =>
            (await s.UpdateAsync(model, name, update.Name, DetailsText(update.Details), ct)).ToDto())
            .WithSummary("Rename a dataset or replace its details.");

        g.MapDelete("/models/{model}/datasets/{name}", async (string model, string name, DatasetService s, CancellationToken ct) =>
            {
                await s.DeleteAsync(model, name, ct);
                return Results.NoContent();
            });

        g.MapGet("/models/{model}/datasets/{name}/files/{file}", async (string model, string name, string file, DatasetService s, CancellationToken ct) =>
            {
                var download = await s.OpenFileAsync(model, name, file, ct);
                return Results.Stream(download.Content, "application/octet-stream", download.Name);
            })
            .WithSummary("Download one file of a dataset (extracted on the fly from a compressed dataset).");

        g.MapGet("/models/{model}/datasets/{name}/archive", async (string model, string name, DatasetService s, CancellationToken ct) =>
            {
                var download = await s.OpenArchiveAsync(model, name, ct);
                return Results.Stream(download.Content, "application/gzip", download.Name);
            })
            .WithSummary("Download a compressed dataset as its tar.gz archive.");
    }

    private static Task<Core.Entities.Dataset> ReceiveUploadAsync(string model, HttpRequest request, DatasetService s, CancellationToken ct) =>
        MultipartUpload.ReceiveAsync(request,
            fields => s.BeginUploadAsync(model, new DatasetDraft(fields.GetValueOrDefault("name", ""), fields.Flag("compress"), fields.GetValueOrDefault("details")), ct),
            upload => upload.CommitAsync(ct), ct);
}
