using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Storage;
using Portal.Core.Stores;

namespace Portal.Core.Services;

/// <summary>A file of a dataset opened for download.</summary>
public sealed record DownloadableFile(string Name, long Size, Stream Content);

/// <summary>Use cases of datasets: upload (checked against the model's data file specs), list, download, rename, delete.</summary>
public sealed class DatasetService(IDatasetStore datasets, IModelStore models, IFileStore files, UploadLimits limits, TimeProvider clock)
{
    public Task<Page<Dataset>> ListAsync(string? modelName, PageRequest request, CancellationToken ct) => datasets.ListAsync(modelName, request, ct);

    public async Task<Dataset> GetAsync(string modelName, string name, CancellationToken ct) =>
        await datasets.FindAsync(modelName, name, ct) ?? throw new NotFoundException($"dataset of model '{modelName}'", name);

    /// <summary>
    /// Checks a dataset before any byte is sent: name, uniqueness, details, and the planned files against the
    /// specs (required files, max_mb) and the global limit. The upload checks again while streaming.
    /// </summary>
    public async Task CheckPlanAsync(string modelName, DatasetDraft draft, IReadOnlyList<PlannedFile> planned, CancellationToken ct)
    {
        var model = await GetModelAsync(modelName, ct);
        var errors = new ValidationErrors();
        await CheckDraftAsync(model, draft, errors, ct);
        UploadPlan.Check(model.DataFiles, planned, limits.MaxUploadBytes, $"the model '{model.Name}'", errors);
        errors.ThrowIfAny();
    }

    /// <summary>Starts an upload; files are staged, and nothing becomes visible until <see cref="DatasetUpload.CommitAsync"/>.</summary>
    public async Task<DatasetUpload> BeginUploadAsync(string modelName, DatasetDraft draft, CancellationToken ct)
    {
        var model = await GetModelAsync(modelName, ct);
        var errors = new ValidationErrors();
        var details = await CheckDraftAsync(model, draft, errors, ct);
        errors.ThrowIfAny();
        return new DatasetUpload(this, model, draft with { Name = draft.Name.Trim() }, details, model.DataFiles);
    }

    /// <summary>
    /// Starts storing a batch job's predictions as a dataset of the model: named and checked like any dataset, but not held
    /// to the model's data file specs, which describe what it is trained on, not what it predicts.
    /// </summary>
    internal async Task<DatasetUpload> BeginPredictionsAsync(string modelName, DatasetDraft draft, CancellationToken ct)
    {
        var model = await GetModelAsync(modelName, ct);
        var errors = new ValidationErrors();
        var details = await CheckDraftAsync(model, draft, errors, ct);
        errors.ThrowIfAny();
        return new DatasetUpload(this, model, draft with { Name = draft.Name.Trim() }, details, []);
    }

    public async Task<Dataset> UpdateAsync(string modelName, string name, string newName, string? detailsJson, CancellationToken ct)
    {
        var dataset = await GetAsync(modelName, name, ct);
        var errors = new ValidationErrors();
        newName = newName.Trim();
        InputRules.Name(errors, "name", newName, "dataset name");
        var details = InputRules.Details(errors, "details", detailsJson);
        if (errors.IsEmpty && newName != name && await datasets.FindAsync(modelName, newName, ct) is not null)
            errors.Add("name", $"The model '{modelName}' already has a dataset named '{newName}'.");
        errors.ThrowIfAny();
        dataset.Name = newName;
        dataset.Details = details;
        dataset.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        return await datasets.UpdateAsync(dataset, ct);
    }

    public async Task DeleteAsync(string modelName, string name, CancellationToken ct)
    {
        var dataset = await GetAsync(modelName, name, ct);
        await datasets.DeleteAsync(dataset.Id, ct);
        await files.DeleteAsync(StorageKeys.Dataset(dataset.Id), ct);
    }

    public async Task<DownloadableFile> OpenFileAsync(string modelName, string name, string fileName, CancellationToken ct) =>
        await OpenFileAsync(await GetAsync(modelName, name, ct), fileName, ct);

    /// <summary>One file of a dataset the caller has already loaded (and checked).</summary>
    public async Task<DownloadableFile> OpenFileAsync(Dataset dataset, string fileName, CancellationToken ct)
    {
        var file = dataset.Files.Find(f => f.Name == fileName) ?? throw new NotFoundException($"file in dataset '{dataset.Name}'", fileName);
        var content = await ArtifactFiles.OpenAsync(files, StorageKeys.Dataset(dataset.Id), dataset.Compressed, fileName, ct);
        return new DownloadableFile(fileName, file.Size, content);
    }

    public async Task<DownloadableFile> OpenArchiveAsync(string modelName, string name, CancellationToken ct)
    {
        var dataset = await GetAsync(modelName, name, ct);
        if (!dataset.Compressed || dataset.Archive is null)
            throw new ConflictException($"The dataset '{name}' is not compressed; download its files one by one.");
        return new DownloadableFile($"{dataset.Name}.tar.gz", dataset.Archive.Size, await files.OpenReadAsync(StorageKeys.DatasetArchive(dataset.Id), ct));
    }

    internal IFileStore Files => files;
    internal UploadLimits Limits => limits;
    internal DateTime Now => clock.GetUtcNow().UtcDateTime;

    internal static IEnumerable<string> MissingRequired(Model model, IReadOnlySet<string> present) =>
        StagedFiles.MissingRequired(model.DataFiles, present, $"the model '{model.Name}'");

    internal Task<Dataset> AddAsync(Dataset dataset, Func<long, CancellationToken, Task> placeFiles, CancellationToken ct) =>
        datasets.AddAsync(dataset, placeFiles, ct);

    private async Task<Model> GetModelAsync(string modelName, CancellationToken ct) =>
        await models.FindAsync(modelName, ct) ?? throw new NotFoundException("model", modelName);

    private async Task<Dictionary<string, System.Text.Json.JsonElement>> CheckDraftAsync(Model model, DatasetDraft draft, ValidationErrors errors, CancellationToken ct)
    {
        var name = draft.Name?.Trim() ?? "";
        InputRules.Name(errors, "name", name, "dataset name");
        var details = InputRules.Details(errors, "details", draft.DetailsJson);
        if (errors.IsEmpty && await datasets.FindAsync(model.Name, name, ct) is not null)
            errors.Add("name", $"The model '{model.Name}' already has a dataset named '{name}'; choose another name or delete that one first.");
        return details;
    }
}
