using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Portal.Core.Errors;
using Portal.Core.Services;
using static Portal.Web.Api.ApiModels;

namespace Portal.Web.Api;

public static class DatasetsApi
{
    private const int MaxFieldBytes = 64 * 1024;

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

    /// <summary>Streams a multipart upload part by part into the file store; form fields must come before the files.</summary>
    private static async Task<Core.Entities.Dataset> ReceiveUploadAsync(string model, HttpRequest request, DatasetService s, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new ValidationFailedException("files", "Send the dataset as multipart/form-data.");
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary)) throw new ValidationFailedException("files", "The multipart body has no boundary.");

        var reader = new MultipartReader(boundary, request.Body);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        DatasetUpload? upload = null;
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) continue;
                if (disposition.IsFileDisposition())
                {
                    upload ??= await s.BeginUploadAsync(model, new DatasetDraft(
                        fields.GetValueOrDefault("name", ""),
                        bool.TryParse(fields.GetValueOrDefault("compress"), out var c) && c,
                        fields.GetValueOrDefault("details")), ct);
                    var fileName = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                    await upload.AddFileAsync(fileName ?? "", section.Body, ct);
                }
                else if (disposition.IsFormDisposition())
                {
                    var key = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                    fields[key] = await ReadFieldAsync(section.Body, key, ct);
                }
            }
            if (upload is null) throw new ValidationFailedException("files", "Upload at least one file.");
            return await upload.CommitAsync(ct);
        }
        finally
        {
            if (upload is not null) await upload.DisposeAsync();
        }
    }

    private static async Task<string> ReadFieldAsync(Stream body, string key, CancellationToken ct)
    {
        using var reader = new StreamReader(body);
        var buffer = new char[MaxFieldBytes + 1];
        var read = await reader.ReadBlockAsync(buffer, ct);
        if (read > MaxFieldBytes) throw new ValidationFailedException(key, $"The field '{key}' is longer than {MaxFieldBytes / 1024} KB.");
        return new string(buffer, 0, read);
    }
}
