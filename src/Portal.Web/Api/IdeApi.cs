using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Ide;
using Portal.Core.Security;
using Portal.Web.Auth;

namespace Portal.Web.Api;

public static class IdeApi
{
    public sealed record SessionDto(string Name, string User, string Image, string? ResourceProfile, IReadOnlyList<DatasetRef> Datasets, string State,
        string? Message, DateTime? LastActivity, DateTime CreatedAt, string Url, string OpenUrl);

    public sealed record StartDto(string? Name, string? Image, string? ResourceProfile, IReadOnlyList<string>? Datasets,
        IReadOnlyList<string>? ModelVersions, string? EditProject, Dictionary<string, string>? Env);

    /// <summary>
    /// Url: the session on the IDE origin, for scripts with a bearer token. OpenUrl: the way in for a signed-in browser
    /// (a one-time ticket for the IDE origin).
    /// </summary>
    public static SessionDto ToDto(this IdeSession s, HttpContext http) => new(s.Name, s.User, s.Image, s.ResourceProfile, s.Datasets,
        s.Task.State.ToString().ToUpperInvariant(), s.Task.Message, s.LastActivity, s.CreatedAt,
        http.RequestServices.GetRequiredService<Portal.Web.Ide.IdeOrigin>().For(http.Request, s.User) + IdeService.BasePath(s.User, s.Name),
        Portal.Web.Features.Ide.IdeLinks.Open(s.User, s.Name));

    /// <summary>Sessions are the caller's own; an admin may name another user's (<c>?user=</c>) or list everyone's (<c>?all=true</c>).</summary>
    private static string OwnerFor(HttpContext http, string? user)
    {
        var me = PortalAuthentication.NameOf(http.User);
        if (string.IsNullOrEmpty(user) || user == me) return me;
        return PortalPolicies.HasRole(http.User, Roles.Admin) ? user
            : throw new AccessDeniedException("Only admins may see or stop another user's IDE sessions.");
    }

    public static void MapIdeApi(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("/ide").WithTags("IDE").RequireAuthorization(PortalPolicies.Work);
        g.MapGet("/", async (bool? all, HttpContext http, IdeService s, CancellationToken ct) =>
            (await s.ListAsync(all == true && PortalPolicies.HasRole(http.User, Roles.Admin) ? null : PortalAuthentication.NameOf(http.User), ct)).Select(x => x.ToDto(http)));
        g.MapGet("/{name}", async (string name, string? user, HttpContext http, IdeService s, CancellationToken ct) => (await s.GetAsync(OwnerFor(http, user), name, ct)).ToDto(http));
        g.MapPost("/", async (StartDto input, HttpContext http, IdeService s, CancellationToken ct) =>
            {
                var session = await s.StartAsync(PortalAuthentication.NameOf(http.User), new IdeRequest(input.Name, input.Image, input.ResourceProfile, input.Datasets)
                {
                    ModelVersions = input.ModelVersions ?? [], EditProject = input.EditProject, Env = input.Env ?? [],
                }, ct);
                return Results.Created($"/api/v1/ide/{session.Name}", session.ToDto(http));
            })
            .WithSummary("Start Jupyter in a container with your home volume, the shared volume and datasets; open it at the returned url.");
        g.MapPost("/{name}/restart", async (string name, string? user, HttpContext http, IdeService s, CancellationToken ct) => (await s.RestartAsync(OwnerFor(http, user), name, ct)).ToDto(http))
            .WithSummary("Start the session's server again with the same settings; the home folder is kept.");
        g.MapPost("/{name}/stop", async (string name, string? user, HttpContext http, IdeService s, CancellationToken ct) =>
            {
                var owner = OwnerFor(http, user);
                var reason = owner == PortalAuthentication.NameOf(http.User) ? "Stopped by its user." : $"Stopped by the admin {PortalAuthentication.NameOf(http.User)}.";
                return (await s.StopAsync(owner, name, reason, ct)).ToDto(http);
            });
    }
}
