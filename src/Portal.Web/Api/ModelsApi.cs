using Portal.Core.Services;
using static Portal.Web.Api.ApiModels;

namespace Portal.Web.Api;

public static class ModelsApi
{
    public static void MapModelsApi(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("/models").WithTags("Models");

        g.MapGet("/", async ([AsParameters] ListQuery q, ModelService s, CancellationToken ct) =>
            (await s.ListAsync(q.ToPageRequest(), ct)).ToDto(m => m.ToDto()));

        g.MapGet("/{name}", async (string name, ModelService s, CancellationToken ct) => (await s.GetAsync(name, ct)).ToDto())
            .ProducesProblem(StatusCodes.Status404NotFound);

        g.MapPost("/", async (ModelInput input, ModelService s, CancellationToken ct) =>
            {
                var m = await s.CreateAsync(input, ct);
                return Results.Created($"/api/v1/models/{m.Name}", m.ToDto());
            })
            .ProducesProblem(StatusCodes.Status409Conflict);

        g.MapPut("/{name}", async (string name, ModelInput input, ModelService s, CancellationToken ct) => (await s.UpdateAsync(name, input, ct)).ToDto())
            .ProducesProblem(StatusCodes.Status404NotFound);

        g.MapDelete("/{name}", async (string name, ModelService s, CancellationToken ct) =>
            {
                await s.DeleteAsync(name, ct);
                return Results.NoContent();
            })
            .WithSummary("Delete a model with its datasets and versions (refused while deployments serve its versions).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }
}
