using Portal.Core.Entities;
using Portal.Core.Ide;

namespace Portal.Web.Api;

public static class IdeApi
{
    /// <summary>Until identities land every session belongs to this user.</summary>
    public const string AnonymousUser = "anonymous";

    public sealed record SessionDto(string Name, string User, string Image, string? ResourceProfile, IReadOnlyList<DatasetRef> Datasets, string State,
        string? Message, DateTime? LastActivity, DateTime CreatedAt, string Url);

    public sealed record StartDto(string? Name, string? Image, string? ResourceProfile, IReadOnlyList<string>? Datasets,
        IReadOnlyList<string>? ModelVersions, string? EditProject, Dictionary<string, string>? Env);

    public static SessionDto ToDto(this IdeSession s) => new(s.Name, s.User, s.Image, s.ResourceProfile, s.Datasets, s.Task.State.ToString().ToUpperInvariant(),
        s.Task.Message, s.LastActivity, s.CreatedAt, IdeService.BasePath(s.User, s.Name));

    public static void MapIdeApi(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("/ide").WithTags("IDE");
        g.MapGet("/", async (IdeService s, CancellationToken ct) => (await s.ListAsync(AnonymousUser, ct)).Select(x => x.ToDto()));
        g.MapGet("/{name}", async (string name, IdeService s, CancellationToken ct) => (await s.GetAsync(AnonymousUser, name, ct)).ToDto());
        g.MapPost("/", async (StartDto input, IdeService s, CancellationToken ct) =>
            {
                var session = await s.StartAsync(AnonymousUser, new IdeRequest(input.Name, input.Image, input.ResourceProfile, input.Datasets)
                {
                    ModelVersions = input.ModelVersions ?? [], EditProject = input.EditProject, Env = input.Env ?? [],
                }, ct);
                return Results.Created($"/api/v1/ide/{session.Name}", session.ToDto());
            })
            .WithSummary("Start Jupyter in a container with your home volume, the shared volume and datasets; open it at the returned url.");
        g.MapPost("/{name}/restart", async (string name, IdeService s, CancellationToken ct) => (await s.RestartAsync(AnonymousUser, name, ct)).ToDto())
            .WithSummary("Start the session's server again with the same settings; the home folder is kept.");
        g.MapPost("/{name}/stop", async (string name, IdeService s, CancellationToken ct) => (await s.StopAsync(AnonymousUser, name, "Stopped by its user.", ct)).ToDto());
    }
}
