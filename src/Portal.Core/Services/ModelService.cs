using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Storage;
using Portal.Core.Stores;

namespace Portal.Core.Services;

/// <param name="Kind">classification or regression: how feedback on its deployments is scored (accuracy, or MAE and RMSE).</param>
public sealed record ModelInput(string Name, string? Desc = null, IReadOnlyList<FileSpec>? ModelFiles = null, IReadOnlyList<FileSpec>? DataFiles = null,
    string? Kind = null);

/// <summary>Use cases of model definitions; deleting one removes its datasets and versions, as <c>nha model rm</c> does.</summary>
public sealed class ModelService(IModelStore models, IFileStore files, TimeProvider clock)
{
    public Task<Page<Model>> ListAsync(PageRequest request, CancellationToken ct) => models.ListAsync(request, ct);

    public async Task<Model> GetAsync(string name, CancellationToken ct) =>
        await models.FindAsync(name, ct) ?? throw new NotFoundException("model", name);

    public async Task<Model> CreateAsync(ModelInput input, CancellationToken ct)
    {
        var model = await ValidateAsync(input, null, ct);
        model.CreatedAt = model.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        return await models.AddAsync(model, ct);
    }

    public async Task<Model> UpdateAsync(string name, ModelInput input, CancellationToken ct)
    {
        var existing = await GetAsync(name, ct);
        var model = await ValidateAsync(input, existing, ct);
        model.Id = existing.Id;
        model.CreatedAt = existing.CreatedAt;
        model.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        return await models.UpdateAsync(model, ct);
    }

    public async Task<ModelUsage> GetDeletionImpactAsync(string name, CancellationToken ct) =>
        await models.GetUsageAsync((await GetAsync(name, ct)).Id, ct);

    public async Task DeleteAsync(string name, CancellationToken ct)
    {
        var model = await GetAsync(name, ct);
        var usage = await models.GetUsageAsync(model.Id, ct);
        if (usage.Deployments.Count > 0)
            throw new ConflictException($"The model '{name}' cannot be deleted: deployments {string.Join(", ", usage.Deployments)} serve its versions. Remove those deployments first.");
        await models.DeleteAsync(model.Id, ct);
        // Files go after the records: a crash in between leaves unreferenced files, never records without files.
        foreach (var id in usage.DatasetIds) await files.DeleteAsync(StorageKeys.Dataset(id), ct);
        foreach (var id in usage.VersionIds) await files.DeleteAsync(StorageKeys.ModelVersion(id), ct);
    }

    private async Task<Model> ValidateAsync(ModelInput input, Model? existing, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var name = input.Name?.Trim() ?? "";
        InputRules.Name(errors, "name", name, "model name");
        var desc = InputRules.Clean(input.Desc);
        InputRules.Desc(errors, "desc", desc);
        var modelFiles = Specs(errors, "model_files", input.ModelFiles);
        var dataFiles = Specs(errors, "data_files", input.DataFiles);
        ModelKind? kind = null;
        if (InputRules.Clean(input.Kind) is { } k)
        {
            if (Enum.TryParse<ModelKind>(k, ignoreCase: true, out var parsed) && !int.TryParse(k, out _)) kind = parsed;
            else errors.Add("kind", $"'{k}' is not a kind of model; use classification or regression (or leave it out).");
        }
        if (errors.IsEmpty && name != existing?.Name && await models.FindAsync(name, ct) is not null)
            errors.Add("name", $"A model named '{name}' already exists; choose another name.");
        errors.ThrowIfAny();
        return new Model { Name = name, Desc = desc, ModelFiles = modelFiles, DataFiles = dataFiles, Kind = kind };
    }

    private static List<FileSpec> Specs(ValidationErrors errors, string field, IReadOnlyList<FileSpec>? specs)
    {
        var result = new List<FileSpec>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (specs?.Count ?? 0); i++)
        {
            var spec = specs![i];
            var specField = $"{field}[{i}]";
            var name = spec.Name?.Trim() ?? "";
            if (SafeFileName.Check(name) is { } problem) errors.Add($"{specField}.name", problem);
            else if (!seen.Add(name)) errors.Add($"{specField}.name", $"'{name}' is listed twice in {field}.");
            if (spec.MaxMb is { } max && (max <= 0 || double.IsNaN(max) || double.IsInfinity(max)))
                errors.Add($"{specField}.max_mb", $"max_mb of '{name}' must be a number of megabytes above 0, or empty for no limit.");
            InputRules.Desc(errors, $"{specField}.desc", spec.Desc);
            result.Add(spec with { Name = name, Desc = InputRules.Clean(spec.Desc) });
        }
        return result;
    }
}
