using Portal.Core.Entities;

namespace Portal.Core.Storage;

/// <summary>
/// Where file content lives (datasets, model files, notebooks, logs). Keys are '/'-separated paths of
/// safe names (see <see cref="SafeFileName"/>). Every write is atomic: readers see the old content or
/// the complete new content, never a partial file.
/// </summary>
public interface IFileStore
{
    /// <summary>Writes what <paramref name="write"/> produces under <paramref name="key"/>, recording size and sha256.</summary>
    /// <exception cref="FileTooLargeException">More than <paramref name="maxBytes"/> were written; nothing is kept.</exception>
    Task<StoredFile> SaveAsync(string key, Func<Stream, CancellationToken, Task> write, long? maxBytes, CancellationToken ct);

    /// <exception cref="Errors.NotFoundException">No file has that key.</exception>
    Task<Stream> OpenReadAsync(string key, CancellationToken ct);

    Task<bool> ExistsAsync(string key, CancellationToken ct);

    /// <summary>Lists the files under a folder key, with their paths relative to it.</summary>
    IAsyncEnumerable<string> ListAsync(string folderKey, CancellationToken ct);

    /// <summary>Moves a whole folder in one step (used to publish a staged upload); the target must not exist.</summary>
    Task MoveFolderAsync(string fromKey, string toKey, CancellationToken ct);

    /// <summary>Deletes a file or a folder and everything below it; missing keys are ignored.</summary>
    Task DeleteAsync(string key, CancellationToken ct);
}
