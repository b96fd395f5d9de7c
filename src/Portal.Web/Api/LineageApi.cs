using Portal.Core.Lineage;

namespace Portal.Web.Api;

/// <summary>The lineage neighbourhood of one entity, as the lineage page draws it.</summary>
public static class LineageApi
{
    public static void MapLineageApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/lineage/{kind}/{**name}", async (string kind, string name, int? depth, int? limit, string? project, string? model, DateTime? from, DateTime? to,
                LineageService lineage, CancellationToken ct) =>
                await lineage.GetAsync(new LineageQuery(kind, Uri.UnescapeDataString(name), depth ?? 2, limit ?? 25,
                    new LineageFilter(Blank(project), Blank(model), from?.ToUniversalTime(), to?.ToUniversalTime())), ct))
            .WithTags("Lineage")
            .WithSummary("Datasets → trainings → model versions → packages → deployments around one entity. kind: dataset, training, version, package, deployment or build; " +
                         "name: model/dataset, project/training, model/version, package, deployment or project/tag. depth (0-6, default 2) steps out both ways; " +
                         "limit (default 25) neighbours per relation, newest first; hidden counts what was left out. Filters: project, model, from, to.");
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
