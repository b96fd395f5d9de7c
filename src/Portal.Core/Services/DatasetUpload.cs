using System.Text.Json;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Storage;

namespace Portal.Core.Services;

/// <summary>
/// One dataset being uploaded. Files stream into a staging folder of the file store, each checked against
/// its spec's max_mb and the global limit as bytes arrive; <see cref="CommitAsync"/> checks required files,
/// compresses if asked, records the dataset and moves the folder into place. Disposing without a commit
/// removes the staged files, so a failed or abandoned upload leaves nothing behind.
/// </summary>
public sealed class DatasetUpload : IAsyncDisposable
{
    private readonly DatasetService _service;
    private readonly Model _model;
    private readonly DatasetDraft _draft;
    private readonly Dictionary<string, JsonElement> _details;
    private readonly Guid _stagingId = Guid.NewGuid();
    private readonly List<StoredFile> _files = [];
    private long _total;
    private bool _committed;

    internal DatasetUpload(DatasetService service, Model model, DatasetDraft draft, Dictionary<string, JsonElement> details)
    {
        _service = service;
        _model = model;
        _draft = draft;
        _details = details;
    }

    public IReadOnlyList<StoredFile> Files => _files;

    public async Task<StoredFile> AddFileAsync(string fileName, Stream content, CancellationToken ct)
    {
        SafeFileName.Require(fileName, "files");
        if (_files.Any(f => f.Name == fileName))
            throw new ValidationFailedException("files", $"'{fileName}' is uploaded twice.");

        var spec = _model.DataFiles.Find(s => s.Name == fileName);
        var specLimit = UploadLimits.SpecBytes(spec);
        var remaining = _service.Limits.MaxUploadBytes - _total;
        var limit = specLimit is { } s && s < remaining ? s : remaining;
        try
        {
            var stored = await _service.Files.SaveAsync(StorageKeys.StagingFile(_stagingId, fileName), content, limit, ct);
            _files.Add(stored);
            _total += stored.Size;
            return stored;
        }
        catch (FileTooLargeException)
        {
            throw specLimit is { } sl && sl <= remaining
                ? new FileTooLargeException(fileName, sl, $"the model '{_model.Name}' for this file (max_mb: {spec!.MaxMb})")
                : new FileTooLargeException(fileName, remaining, $"file_store.max_upload_mb ({ByteSize.Format(_service.Limits.MaxUploadBytes)} per upload)");
        }
    }

    public async Task<Dataset> CommitAsync(CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (_files.Count == 0) errors.Add("files", "Upload at least one file.");
        foreach (var missing in DatasetService.MissingRequired(_model, _files.Select(f => f.Name).ToHashSet()))
            errors.Add("files", missing);
        errors.ThrowIfAny();

        var files = _service.Files;
        StoredFile? archive = null;
        if (_draft.Compress)
        {
            var entries = _files.Select(f => (StorageKeys.StagingFile(_stagingId, f.Name), f.Name)).ToList();
            archive = await files.SaveAsync(StorageKeys.StagingArchive(_stagingId),
                (target, token) => TarArchives.WriteAsync(files, entries, target, token), null, ct);
            await files.DeleteAsync(StorageKeys.StagingFiles(_stagingId), ct);
        }

        var now = _service.Now;
        var dataset = await _service.AddAsync(new Dataset
        {
            Name = _draft.Name,
            ModelId = _model.Id,
            Model = _model,
            Stored = true,
            Compressed = _draft.Compress,
            Details = _details,
            Files = [.. _files],
            Archive = archive is null ? null : archive with { Name = $"{_draft.Name}.tar.gz" },
            CreatedAt = now,
            UpdatedAt = now,
        }, ct);
        try
        {
            await files.MoveFolderAsync(StorageKeys.Staging(_stagingId), StorageKeys.Dataset(dataset.Id), ct);
        }
        catch
        {
            await _service.RemoveRecordAsync(dataset.Id, CancellationToken.None);
            throw;
        }
        _committed = true;
        return dataset;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_committed) await _service.Files.DeleteAsync(StorageKeys.Staging(_stagingId), CancellationToken.None);
    }
}
