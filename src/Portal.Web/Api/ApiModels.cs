using System.Text.Json;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Web.Api;

/// <summary>The JSON shapes of the REST API (snake_case on the wire). Entities are never serialized directly.</summary>
public static class ApiModels
{
    public sealed record PageDto<T>(IReadOnlyList<T> Items, int Total, int Skip, int Take);

    public sealed record ProjectDto(string Name, string? Desc, string? HomeDir, string? GitRepo, string? DockerRepo, IReadOnlyList<string> Models, DateTime CreatedAt, DateTime UpdatedAt);

    public sealed record ModelDto(string Name, string? Desc, IReadOnlyList<FileSpec> ModelFiles, IReadOnlyList<FileSpec> DataFiles, DateTime CreatedAt, DateTime UpdatedAt,
        string? Kind = null);

    public sealed record DatasetDto(string Name, string Model, bool Stored, bool Compressed, Dictionary<string, JsonElement> Details,
        IReadOnlyList<StoredFile> Files, StoredFile? Archive, long TotalSize, DateTime CreatedAt, DateTime UpdatedAt);

    public sealed record DatasetUpdateDto(string Name, JsonElement? Details);

    public sealed record DatasetPlanDto(string Name, bool Compress, JsonElement? Details, IReadOnlyList<PlannedFileDto> Files);

    public sealed record PlannedFileDto(string Name, long Size);

    public static PageDto<TOut> ToDto<TIn, TOut>(this Page<TIn> page, Func<TIn, TOut> map) => new(page.Items.Select(map).ToList(), page.Total, page.Skip, page.Take);

    public static ProjectDto ToDto(this Project p) =>
        new(p.Name, p.Desc, p.HomeDir, p.GitRepo, p.DockerRepo, p.Models.Select(m => m.Name).Order().ToList(), p.CreatedAt, p.UpdatedAt);

    public static ModelDto ToDto(this Model m) => new(m.Name, m.Desc, m.ModelFiles, m.DataFiles, m.CreatedAt, m.UpdatedAt, m.Kind?.ToString().ToLowerInvariant());

    public static DatasetDto ToDto(this Dataset d) =>
        new(d.Name, d.Model?.Name ?? "", d.Stored, d.Compressed, d.Details, d.Files, d.Archive, d.TotalSize, d.CreatedAt, d.UpdatedAt);

    /// <summary>Details arrive as any JSON value; the use case decides whether it is an acceptable object.</summary>
    public static string? DetailsText(JsonElement? details) =>
        details is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } d ? d.GetRawText() : null;
}
