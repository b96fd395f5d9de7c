using Portal.Core.Ide;
using Portal.Web.Auth;

namespace Portal.Web.Api;

/// <summary>Settings admins change in the portal. For now the IDE images; the rest of portal.yaml follows with the settings pages.</summary>
public static class SettingsApi
{
    public sealed record IdeImagesDto(IReadOnlyList<IdeImage> Images, string Source, DateTime? UpdatedAt, string? UpdatedBy);

    public static void MapSettingsApi(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("/settings").WithTags("Settings");
        g.MapGet("/ide-images", async (IdeImageCatalog catalog, CancellationToken ct) =>
            {
                var (images, saved) = await catalog.GetAsync(ct);
                return new IdeImagesDto(images, saved is null ? "portal.yaml" : "portal", saved?.UpdatedAt, saved?.UpdatedBy);
            })
            .RequireAuthorization(PortalPolicies.Work)
            .WithSummary("The images offered for IDE sessions (besides the projects' builds).");
        g.MapPut("/ide-images", async (List<IdeImage> images, IdeImageCatalog catalog, CancellationToken ct) => await catalog.SaveAsync(images, ct))
            .RequireAuthorization(PortalPolicies.Admin)
            .WithSummary("Replace the list of IDE images: [{name, image, desc}].");
        g.MapDelete("/ide-images", async (IdeImageCatalog catalog, CancellationToken ct) =>
            {
                await catalog.ResetAsync(ct);
                return Results.NoContent();
            })
            .RequireAuthorization(PortalPolicies.Admin)
            .WithSummary("Go back to portal.yaml's ide.images.");
    }
}
