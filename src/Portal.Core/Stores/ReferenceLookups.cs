using Portal.Core.Entities;

namespace Portal.Core.Stores;

/// <summary>Things of a model named as <c>model/name</c> (a dataset, a version), as users write them in forms and the API.</summary>
public static class ReferenceLookups
{
    /// <summary>The model and the name, trimmed; null when the reference is not of the form model/name.</summary>
    public static (string Model, string Name)? Split(string? reference)
    {
        var parts = (reference ?? "").Trim().Split('/', 2);
        return parts.Length == 2 && parts[0].Trim().Length > 0 && parts[1].Trim().Length > 0 ? (parts[0].Trim(), parts[1].Trim()) : null;
    }

    public static async Task<Dataset?> FindByReferenceAsync(this IDatasetStore datasets, string? reference, CancellationToken ct) =>
        Split(reference) is var (model, name) ? await datasets.FindAsync(model, name, ct) : null;

    public static async Task<ModelVersion?> FindByReferenceAsync(this IModelVersionStore versions, string? reference, CancellationToken ct) =>
        Split(reference) is var (model, name) ? await versions.FindAsync(model, name, ct) : null;
}
