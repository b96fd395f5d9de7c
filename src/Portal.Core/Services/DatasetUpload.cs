using System.Text.Json;
using Portal.Core.Entities;
using Portal.Core.Storage;

namespace Portal.Core.Services;

/// <summary>
/// One dataset being uploaded: files are staged and checked against the model's data file specs as they arrive
/// (<see cref="StagedFiles"/>); <see cref="CommitAsync"/> checks required files, compresses if asked, records the
/// dataset and moves the folder into place. Disposing without a commit leaves nothing behind.
/// </summary>
public sealed class DatasetUpload : IArtifactUpload
{
    private readonly DatasetService _service;
    private readonly Model _model;
    private readonly DatasetDraft _draft;
    private readonly Dictionary<string, JsonElement> _details;
    private readonly StagedFiles _staged;

    /// <param name="specs">The data file specs the files are checked against: the model's, or none for predictions.</param>
    internal DatasetUpload(DatasetService service, Model model, DatasetDraft draft, Dictionary<string, JsonElement> details, IReadOnlyList<FileSpec> specs)
    {
        _service = service;
        _model = model;
        _draft = draft;
        _details = details;
        _staged = new StagedFiles(service.Files, service.Limits.MaxUploadBytes, specs, $"the model '{model.Name}'");
    }

    public IReadOnlyList<StoredFile> Files => _staged.Files;

    public Task<StoredFile> AddFileAsync(string fileName, Stream content, CancellationToken ct) => _staged.AddFileAsync(fileName, content, ct);

    public async Task<Dataset> CommitAsync(CancellationToken ct)
    {
        var archive = await _staged.SealAsync(_draft.Compress, $"{_draft.Name}.tar.gz", ct);
        var now = _service.Now;
        return await _staged.CommitAsync(StorageKeys.Dataset, (place, token) => _service.AddAsync(new Dataset
        {
            Name = _draft.Name,
            ModelId = _model.Id,
            Model = _model,
            Stored = true,
            Compressed = _draft.Compress,
            Details = _details,
            Files = [.. _staged.Files],
            Archive = archive,
            CreatedAt = now,
            UpdatedAt = now,
        }, place, token), ct);
    }

    public ValueTask DisposeAsync() => _staged.DisposeAsync();
}
