using Portal.Core.Entities;
using Portal.Core.Storage;

namespace Portal.Core.Services;

/// <summary>
/// One model version being uploaded (by hand or published by a training's toolkit): files are staged and checked
/// against the model's model_files specs as they arrive; <see cref="CommitAsync"/> checks required files, packs
/// them if asked, records the version in the first environment and moves the files into place. A publish sent again
/// after its version was made (<see cref="AlreadyPublished"/>) reads the files and discards them, and answers that version.
/// </summary>
public sealed class ModelVersionUpload : IArtifactUpload
{
    private readonly ModelVersionService _service;
    private readonly ModelVersion _version;
    private readonly bool _numbered;
    private readonly StagedFiles? _staged;

    internal ModelVersionUpload(ModelVersionService service, ModelVersion version, bool numbered, StagedFiles? staged)
    {
        _service = service;
        _version = version;
        _numbered = numbered;
        _staged = staged;
    }

    internal static ModelVersionUpload AlreadyPublished(ModelVersionService service, ModelVersion made) => new(service, made, false, null);

    /// <summary>The name a packed version's archive downloads as.</summary>
    internal static string ArchiveName(ModelVersion version) => $"{version.Model!.Name}-{version.Name}.tar.gz";

    public IReadOnlyList<StoredFile> Files => _staged?.Files ?? _version.Files;

    public async Task<StoredFile> AddFileAsync(string fileName, Stream content, CancellationToken ct)
    {
        if (_staged is not null) return await _staged.AddFileAsync(fileName, content, ct);
        await content.CopyToAsync(Stream.Null, ct);
        return _version.Files.FirstOrDefault(f => f.Name == fileName) ?? new StoredFile { Name = fileName };
    }

    public async Task<ModelVersion> CommitAsync(CancellationToken ct)
    {
        if (_staged is null) return await _service.GetAsync(_version.Model!.Name, _version.Name, ct);
        _version.Archive = await _staged.SealAsync(_version.Compressed, ArchiveName(_version), ct);
        _version.Files = [.. _staged.Files];
        var version = await _staged.CommitAsync(StorageKeys.ModelVersion, (place, token) => _service.AddAsync(_version, _numbered, place, token), ct);
        // Read back with its lineage loaded (training, dataset, pretrained, build) for the caller.
        return await _service.GetAsync(_version.Model!.Name, version.Name, ct);
    }

    public ValueTask DisposeAsync() => _staged?.DisposeAsync() ?? ValueTask.CompletedTask;
}
