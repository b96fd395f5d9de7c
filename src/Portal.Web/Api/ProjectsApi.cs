using Portal.Core.Services;
using static Portal.Web.Api.ApiModels;

namespace Portal.Web.Api;

public static class ProjectsApi
{
    public static void MapProjectsApi(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("/projects").WithTags("Projects");

        g.MapGet("/", async ([AsParameters] ListQuery q, ProjectService s, CancellationToken ct) =>
            (await s.ListAsync(q.ToPageRequest(), ct)).ToDto(p => p.ToDto()))
            .WithSummary("List projects (search in name and description; sort by name, created_at or updated_at).");

        g.MapGet("/{name}", async (string name, ProjectService s, CancellationToken ct) => (await s.GetAsync(name, ct)).ToDto())
            .ProducesProblem(StatusCodes.Status404NotFound);

        g.MapPost("/", async (ProjectInput input, ProjectService s, CancellationToken ct) =>
            {
                var p = await s.CreateAsync(input, ct);
                return Results.Created($"/api/v1/projects/{p.Name}", p.ToDto());
            })
            .ProducesProblem(StatusCodes.Status409Conflict);

        g.MapPut("/{name}", async (string name, ProjectInput input, ProjectService s, CancellationToken ct) => (await s.UpdateAsync(name, input, ct)).ToDto())
            .WithSummary("Edit a project; renaming keeps every reference to it.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        g.MapDelete("/{name}", async (string name, ProjectService s, CancellationToken ct) =>
            {
                await s.DeleteAsync(name, ct);
                return Results.NoContent();
            })
            .WithSummary("Delete a project with its build versions, trainings and deployments.")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }
}
