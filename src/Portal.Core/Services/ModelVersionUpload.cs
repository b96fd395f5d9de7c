using Portal.Core.Entities;
using Portal.Core.Storage;

namespace Portal.Core.Services;

/// <summary>
/// One model version being uploaded (by hand or published by a training's toolkit): files are staged and checked
/// against the model's model_files specs as they arrive; <see cref="CommitAsync"/> checks required files, packs
/// them if asked, records the version in the first environment and moves the files into place.
/// </summary>
public sealed class ModelVersionUpload : IArtifactUpload
{
    private readonly ModelVersionService _service;
    private readonly ModelVersion _version;
    private readonly StagedFiles _staged;

    internal ModelVersionUpload(ModelVersionService service, ModelVersion version, StagedFiles staged)
    {
        _service = service;
        _version = version;
        _staged = staged;
    }

    public IReadOnlyList<StoredFile> Files => _staged.Files;

    public Task<StoredFile> AddFileAsync(string fileName, Stream content, CancellationToken ct) => _staged.AddFileAsync(fileName, content, ct);

    public async Task<ModelVersion> CommitAsync(CancellationToken ct)
    {
        _version.Archive = await _staged.SealAsync(_version.Compressed, $"{_version.Model!.Name}-{_version.Name}.tar.gz", ct);
        _version.Files = [.. _staged.Files];
        var version = await _staged.CommitAsync(StorageKeys.ModelVersion, (place, token) => _service.AddAsync(_version, place, token), ct);
        // Read back with its lineage loaded (training, dataset, pretrained, build) for the caller.
        return await _service.GetAsync(_version.Model.Name, version.Name, ct);
    }

    public ValueTask DisposeAsync() => _staged.DisposeAsync();
}
