using Portal.Core.Entities;
using Portal.Core.Security;
using Portal.Web.Auth;

namespace Portal.Web.Api;

/// <summary>Admins manage accounts: create local users, set roles, disable, reset passwords, revoke anyone's tokens.</summary>
public static class UsersApi
{
    public sealed record UserDto(string Name, string? DisplayName, string? Email, IReadOnlyList<string> Roles, string Source, bool Disabled,
        bool MustChangePassword, DateTime CreatedAt, DateTime? LastSignInAt);
    public sealed record NewUserDto(string? Name, string? DisplayName, string? Email, IReadOnlyList<string>? Roles);
    public sealed record UpdateUserDto(IReadOnlyList<string>? Roles, bool? Disabled, string? DisplayName, string? Email);
    /// <summary>A one-time password, in this response only; the user must change it at first sign-in.</summary>
    public sealed record PasswordDto(string Name, string Password);

    public static UserDto ToDto(this PortalUser u) => new(u.Name, u.DisplayName, u.Email, u.Roles, u.Source.ToString().ToLowerInvariant(), u.Disabled,
        u.MustChangePassword, u.CreatedAt, u.LastSignInAt);

    public static void MapUsersApi(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("/users").WithTags("Users").RequireAuthorization(PortalPolicies.Admin);
        g.MapGet("/", async ([AsParameters] ListQuery q, UserService users, CancellationToken ct) => (await users.ListAsync(q.ToPageRequest(), ct)).ToDto(u => u.ToDto()));
        g.MapGet("/{name}", async (string name, UserService users, CancellationToken ct) =>
            (await users.FindAsync(name, ct))?.ToDto() is { } u ? Results.Ok(u) : Results.Problem(statusCode: 404, title: "Not found.", detail: $"There is no user named '{name}'."));
        g.MapPost("/", async (NewUserDto input, UserService users, CancellationToken ct) =>
            {
                var (user, password) = await users.CreateLocalAsync(input.Name ?? "", input.DisplayName, input.Email, input.Roles ?? [], ct);
                return Results.Created($"/api/v1/users/{user.Name}", new { user = user.ToDto(), password });
            })
            .WithSummary("Create a local account; the response carries its one-time password (shown once).");
        g.MapPut("/{name}", async (string name, UpdateUserDto input, UserService users, CancellationToken ct) =>
            {
                var current = await users.FindAsync(name, ct) ?? throw new Core.Errors.NotFoundException("user", name);
                return (await users.UpdateAsync(name, input.Roles ?? current.Roles, input.Disabled ?? current.Disabled,
                    input.DisplayName ?? current.DisplayName, input.Email ?? current.Email, ct)).ToDto();
            });
        g.MapPost("/{name}/reset-password", async (string name, UserService users, CancellationToken ct) => new PasswordDto(name, await users.ResetPasswordAsync(name, ct)))
            .WithSummary("Give a local account a new one-time password (shown once).");
        g.MapDelete("/{name}", async (string name, UserService users, CancellationToken ct) =>
            {
                await users.DeleteAsync(name, ct);
                return Results.NoContent();
            });
        g.MapGet("/{name}/tokens", async (string name, AccessTokenService tokens, TimeProvider clock, CancellationToken ct) =>
            (await tokens.ListAsync(name, ct)).Select(t => t.ToDto(clock.GetUtcNow().UtcDateTime)));
        g.MapDelete("/{name}/tokens/{id:long}", async (string name, long id, AccessTokenService tokens, CancellationToken ct) =>
            {
                await tokens.RevokeAsync(name, id, ct);
                return Results.NoContent();
            });
    }
}
