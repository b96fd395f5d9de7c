using Portal.Core.Containers;
using Portal.Core.Errors;
using Portal.Core.Ide;
using Portal.Core.Settings;
using Portal.Web.Auth;

namespace Portal.Web.Api;

/// <summary>Settings admins change in the portal: sections of portal.yaml (read and written as YAML), the IDE images, and the container manager's connection test.</summary>
public static class SettingsApi
{
    public sealed record IdeImagesDto(IReadOnlyList<IdeImage> Images, string Source, DateTime? UpdatedAt, string? UpdatedBy);
    public sealed record SectionDto(string Yaml, string Source, DateTime? UpdatedAt, string? UpdatedBy);
    public sealed record SettingsDto(IReadOnlyDictionary<string, SectionDto> Sections, IReadOnlyList<PendingRestart> PendingRestart, IReadOnlyList<string> Problems);
    public sealed record ImportedDto(IReadOnlyList<string> Imported, IReadOnlyList<PendingRestart> PendingRestart,
        IReadOnlyList<NhaNote> Ignored, IReadOnlyList<NhaNote> Renamed);

    private static async Task<string> ReadTextAsync(HttpRequest request, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body);
        return await reader.ReadToEndAsync(ct);
    }

    public static void MapSettingsApi(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("/settings").WithTags("Settings");
        g.MapGet("/", async (PortalSettings settings, CancellationToken ct) =>
            {
                var view = await settings.GetAsync(ct);
                return new SettingsDto(SettingsSections.All.ToDictionary(s => s, s => new SectionDto(SettingsSections.ToYaml(view.Saved, s),
                    view.Stored.ContainsKey(s) ? "portal" : "portal.yaml", view.Stored.GetValueOrDefault(s)?.UpdatedAt, view.Stored.GetValueOrDefault(s)?.UpdatedBy)), view.Pending, view.Problems);
            })
            .RequireAuthorization(PortalPolicies.Admin)
            .WithSummary("The sections admins can change, as YAML, where each comes from (portal.yaml or saved in the portal), and saved values waiting for a restart.");
        g.MapGet("/export", async (PortalSettings settings, CancellationToken ct) => Results.Text(await settings.ExportAsync(ct), "application/yaml"))
            .RequireAuthorization(PortalPolicies.Admin)
            .WithSummary("The saved settings as portal.yaml text (store, auth and logger are not included).");
        g.MapPost("/import", async (HttpRequest request, string? format, PortalSettings settings, CancellationToken ct) =>
            {
                var text = await ReadTextAsync(request, ct);
                if (format is "noronha" or "nha")
                {
                    var (sections, translation) = await settings.ImportNoronhaAsync(text, ct);
                    return new ImportedDto(sections, settings.Pending(), translation.Ignored, translation.Renamed);
                }
                if (format is { Length: > 0 } && format != "portal")
                    throw new ValidationFailedException("format", $"'{format}' is not an import format; use portal (portal.yaml, the default) or noronha (nha.yaml).");
                return new ImportedDto(await settings.ImportAsync(text, ct), settings.Pending(), [], []);
            })
            .RequireAuthorization(PortalPolicies.Admin)
            .WithSummary("The request body is portal.yaml text (any content type), or Noronha's nha.yaml with ?format=noronha (the keys "
                + "left out come back in 'ignored', profiles renamed in 'renamed', with their lines). Save every section it holds (container_manager, docker, kube, file_store, "
                + "router, environments, ide.images). All or nothing.");
        g.MapDelete("/{section}", async (string section, PortalSettings settings, CancellationToken ct) => new ImportedDto([], await settings.ResetAsync(section, ct), [], []))
            .RequireAuthorization(PortalPolicies.Admin)
            .WithSummary("Forget a saved section: portal.yaml's value applies again.");
        g.MapPost("/test-connection", async (HttpRequest request, PortalSettings settings, CancellationToken ct) =>
                await settings.TestConnectionAsync(await ReadTextAsync(request, ct), ct))
            .RequireAuthorization(PortalPolicies.Admin)
            .WithSummary("Reach the container manager the saved settings name (or the posted container_manager/docker/kube YAML) and say what was found.");
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
