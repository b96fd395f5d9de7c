using Portal.Core.Services;
using Portal.Web.Auth;

namespace Portal.Web.Api;

/// <summary>
/// A running training fetches a dataset or model version that was not mounted for it (Noronha's
/// <c>require_dataset</c> and <c>require_movers</c>): read-only, with that training's task token, which stops
/// working when the training ends. What it may read is what any viewer may read.
/// </summary>
public static class TaskAssetsApi
{
    public static void MapTaskAssetsApi(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("/tasks").WithTags("Tasks").RequireTaskToken(running: true);

        g.MapGet("/datasets/{model}/{name}", async (string model, string name, DatasetService s, CancellationToken ct) => (await s.GetAsync(model, name, ct)).ToDto())
            .WithSummary("A dataset's metadata and file names, for a running training.");
        g.MapGet("/datasets/{model}/{name}/files/{file}", async (string model, string name, string file, DatasetService s, CancellationToken ct) =>
            {
                var download = await s.OpenFileAsync(model, name, file, ct);
                return Results.Stream(download.Content, "application/octet-stream", download.Name);
            })
            .WithSummary("One file of a dataset, for a running training.");
        g.MapGet("/models/{model}/versions/{name}", async (string model, string name, ModelVersionService s, CancellationToken ct) =>
                (await s.GetAsync(model, name, ct)).ToDto(s))
            .WithSummary("A model version's metadata and file names, for a running training.");
        g.MapGet("/models/{model}/versions/{name}/files/{file}", async (string model, string name, string file, ModelVersionService s, CancellationToken ct) =>
            {
                var download = await s.OpenFileAsync(model, name, file, ct);
                return Results.Stream(download.Content, "application/octet-stream", download.Name);
            })
            .WithSummary("One file of a model version, for a running training.");
    }
}
