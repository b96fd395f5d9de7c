using Portal.Core.Entities;
using Portal.Core.Errors;

namespace Portal.Core.Storage;

/// <summary>
/// Files of one artifact (a dataset, a model version) being uploaded. Each streams into a staging folder of the
/// file store, checked against its spec's max_mb and the per-upload limit while bytes arrive. <see cref="SealAsync"/>
/// checks required files and packs a tar.gz if asked; <see cref="CommitAsync{T}"/> records it and puts the folder in place.
/// Disposing before the move deletes everything staged, so a failed upload leaves nothing behind.
/// </summary>
public sealed class StagedFiles(IFileStore store, long maxUploadBytes, IReadOnlyList<FileSpec> specs, string owner) : IAsyncDisposable
{
    private readonly Guid _id = Guid.NewGuid();
    private readonly List<StoredFile> _files = [];
    private long _total;
    private bool _moved;

    public IReadOnlyList<StoredFile> Files => _files;

    public async Task<StoredFile> AddFileAsync(string fileName, Stream content, CancellationToken ct)
    {
        SafeFileName.Require(fileName, "files");
        if (_files.Any(f => f.Name == fileName))
            throw new ValidationFailedException("files", $"'{fileName}' is uploaded twice.");
        var spec = specs.FirstOrDefault(s => s.Name == fileName);
        var specLimit = SpecBytes(spec);
        var remaining = maxUploadBytes - _total;
        var limit = specLimit is { } s && s < remaining ? s : remaining;
        try
        {
            var stored = await store.SaveAsync(StorageKeys.StagingFile(_id, fileName), content, limit, ct);
            _files.Add(stored);
            _total += stored.Size;
            return stored;
        }
        catch (FileTooLargeException)
        {
            throw specLimit is { } sl && sl <= remaining
                ? new FileTooLargeException(fileName, sl, $"{owner} for this file (max_mb: {spec!.MaxMb})")
                : new FileTooLargeException(fileName, remaining, $"file_store.max_upload_mb ({ByteSize.Format(maxUploadBytes)} per upload)");
        }
    }

    /// <summary>Checks the upload is complete; packs the files into a tar.gz when asked and returns it.</summary>
    public async Task<StoredFile?> SealAsync(bool compress, string archiveName, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (_files.Count == 0) errors.Add("files", "Upload at least one file.");
        foreach (var missing in MissingRequired(specs, _files.Select(f => f.Name).ToHashSet(), owner)) errors.Add("files", missing);
        errors.ThrowIfAny();
        if (!compress) return null;
        var entries = _files.Select(f => (StorageKeys.StagingFile(_id, f.Name), f.Name)).ToList();
        var archive = await store.SaveAsync(StorageKeys.StagingArchive(_id), (target, token) => TarArchives.WriteAsync(store, entries, target, token), null, ct);
        await store.DeleteAsync(StorageKeys.StagingFiles(_id), ct);
        return archive with { Name = archiveName };
    }

    /// <summary>
    /// Records the artifact with <paramref name="add"/>, which calls back with the new record's id before committing it;
    /// the staged folder is then moved to <paramref name="keyOf"/>(id) (files under <c>files/</c>, the archive as
    /// <c>archive.tar.gz</c>). If the record is not committed after all, the moved folder is deleted again; a crash in
    /// between leaves a folder of no record, which <see cref="ArtifactRepair"/> deletes at the next start.
    /// </summary>
    public async Task<T> CommitAsync<T>(
        Func<long, string> keyOf, Func<Func<long, CancellationToken, Task>, CancellationToken, Task<T>> add, CancellationToken ct)
    {
        string? placed = null;
        try
        {
            return await add(async (id, token) =>
            {
                await store.MoveFolderAsync(StorageKeys.Staging(_id), keyOf(id), token);
                (placed, _moved) = (keyOf(id), true);
            }, ct);
        }
        catch when (placed is not null)
        {
            await store.DeleteAsync(placed, CancellationToken.None);
            throw;
        }
    }

    public static long? SpecBytes(FileSpec? spec) => spec?.MaxMb is { } mb ? (long)Math.Floor(mb * 1024 * 1024) : null;

    public static IEnumerable<string> MissingRequired(IReadOnlyList<FileSpec> specs, IReadOnlySet<string> present, string owner) =>
        specs.Where(s => s.Required && !present.Contains(s.Name))
            .Select(s => $"{Capitalized(owner)} requires the file '{s.Name}'{(s.Desc is null ? "" : $" ({s.Desc})")}; it is missing.");

    private static string Capitalized(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    public async ValueTask DisposeAsync()
    {
        if (!_moved) await store.DeleteAsync(StorageKeys.Staging(_id), CancellationToken.None);
    }
}
