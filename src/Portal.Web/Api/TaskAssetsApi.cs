using Portal.Core.Containers;
using Portal.Core.Services;
using Portal.Core.WorkFiles;
using Portal.Web.Auth;

namespace Portal.Web.Api;

/// <summary>
/// What running work reads through the portal: a training fetches a dataset or model version that was not mounted for
/// it (Noronha's <c>require_dataset</c> and <c>require_movers</c>), and work on another node fetches everything it would
/// have mounted (the toolkit, the notebook, the project's home directory) and sends a training's results back. Authorized
/// by a running training's task token (what any viewer may read) or the grant of a deployment (the version it serves) or of
/// an IDE session (what it was opened with).
/// </summary>
public static class TaskAssetsApi
{
    public static void MapTaskAssetsApi(this RouteGroupBuilder v1)
    {
        var limits = ((IEndpointRouteBuilder)v1).ServiceProvider.GetRequiredService<UploadLimits>();
        var g = v1.MapGroup("/tasks").WithTags("Tasks").RequireWorkToken();

        g.MapGet("/datasets/{model}/{name}", async (HttpContext http, string model, string name, DatasetService s, CancellationToken ct) =>
            {
                var dataset = await s.GetAsync(model, name, ct);
                WorkFilesService.CheckDataset(http.WorkCaller(), dataset);
                return dataset.ToDto();
            })
            .WithSummary("A dataset's metadata and file names, for a running training or an IDE session given it.");
        g.MapGet("/datasets/{model}/{name}/files/{file}", async (HttpContext http, string model, string name, string file, DatasetService s, CancellationToken ct) =>
            {
                var dataset = await s.GetAsync(model, name, ct);
                WorkFilesService.CheckDataset(http.WorkCaller(), dataset);
                var download = await s.OpenFileAsync(dataset, file, ct);
                return Results.Stream(download.Content, "application/octet-stream", download.Name);
            })
            .WithSummary("One file of a dataset, for a running training or an IDE session given it.");
        g.MapGet("/models/{model}/versions/{name}", async (HttpContext http, string model, string name, ModelVersionService s, CancellationToken ct) =>
            {
                var version = await s.GetAsync(model, name, ct);
                WorkFilesService.CheckVersion(http.WorkCaller(), version);
                return version.ToDto(s);
            })
            .WithSummary("A model version's metadata and file names, for a running training, the deployment serving it or an IDE session given it.");
        g.MapGet("/models/{model}/versions/{name}/files/{file}", async (HttpContext http, string model, string name, string file, ModelVersionService s, CancellationToken ct) =>
            {
                var version = await s.GetAsync(model, name, ct);
                WorkFilesService.CheckVersion(http.WorkCaller(), version);
                var download = await s.OpenFileAsync(version, file, ct);
                return Results.Stream(download.Content, "application/octet-stream", download.Name);
            })
            .WithSummary("One file of a model version, for a running training, the deployment serving it or an IDE session given it.");

        g.MapGet("/toolkit.zip", () => Results.Bytes(PortalToolkit.Zip, "application/zip", "toolkit.zip"))
            .WithSummary("The portal's Python toolkit, for work whose image may lack it or carry an older one.");
        g.MapGet("/notebook", (HttpContext http, WorkFilesService s) => Results.Stream(s.OpenNotebook(http.WorkCaller()), "application/x-ipynb+json"))
            .WithSummary("The injected notebook a training on another node runs.");
        g.MapGet("/project.tar.gz", (HttpContext http, WorkFilesService s) =>
            {
                var home = s.ProjectHome(http.WorkCaller());
                return Results.Stream(stream => WorkFilesService.WriteProjectAsync(home, stream, http.RequestAborted), "application/gzip", "project.tar.gz");
            })
            .WithSummary("The project's home directory (gzipped tar), for work on another node.");
        g.MapPut("/results/{file}", async (HttpContext http, string file, WorkFilesService s, CancellationToken ct) =>
            {
                await s.SaveResultAsync(http.WorkCaller(), file, http.Request.Body, ct);
                return Results.NoContent();
            })
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(limits.MaxUploadBytes + 1024 * 1024))
            .WithSummary("One result of a training on another node (its executed notebook, its HTML, failure.json), sent at its end.");
        g.MapPut("/results/scored/{file}", async (HttpContext http, string file, WorkFilesService s, CancellationToken ct) =>
            {
                await s.SavePredictionsAsync(http.WorkCaller(), file, http.Request.Body, ct);
                return Results.NoContent();
            })
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(limits.MaxUploadBytes + 1024 * 1024))
            .WithSummary("One predictions file of a batch job on another node, sent at its end.");
    }
}
