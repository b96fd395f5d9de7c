using System.Runtime.CompilerServices;
using Portal.Core.Entities;
using Portal.Core.Errors;

namespace Portal.Core.Storage;

/// <summary>
/// The embedded file store: a directory tree. Writes go to a temp file inside the root (same filesystem),
/// are flushed to disk, then renamed into place, so a crash never leaves a half-written file under a key.
/// </summary>
public sealed class LocalFileStore : IFileStore
{
    private const string TempFolder = StoreKey.TempFolder;
    private readonly string _root;

    public LocalFileStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(Path.Combine(_root, TempFolder));
        // Temp files of a portal process that was killed mid-write are never renamed into place: they can go.
        foreach (var stray in Directory.EnumerateFiles(Path.Combine(_root, TempFolder)).Where(f => !OwnerProcess.IsAlive(Path.GetFileName(f))))
            File.Delete(stray);
    }

    public string Root => _root;

    public async Task<StoredFile> SaveAsync(string key, Func<Stream, CancellationToken, Task> write, long? maxBytes, CancellationToken ct)
    {
        var target = Resolve(key);
        var name = Path.GetFileName(target);
        var temp = Path.Combine(_root, TempFolder, $"{OwnerProcess.Tag}_{Guid.NewGuid():N}");
        try
        {
            StoredFile stored;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            await using (var hashing = new HashingLimitStream(file, maxBytes, name))
            {
                await write(hashing, ct);
                await hashing.FlushAsync(ct);
                file.Flush(flushToDisk: true);
                stored = new StoredFile { Name = name, Size = hashing.BytesWritten, Sha256 = hashing.Sha256Hex() };
            }
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(temp, target, overwrite: true);
            return stored;
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken ct)
    {
        var path = Resolve(key);
        if (!File.Exists(path)) throw new NotFoundException("file", key);
        Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Task.FromResult(stream);
    }

    public Task<bool> ExistsAsync(string key, CancellationToken ct) => Task.FromResult(File.Exists(Resolve(key)));

    public async IAsyncEnumerable<string> ListAsync(string folderKey, [EnumeratorCancellation] CancellationToken ct)
    {
        var folder = Resolve(folderKey);
        if (!Directory.Exists(folder)) yield break;
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            ct.ThrowIfCancellationRequested();
            yield return Path.GetRelativePath(folder, file).Replace('\\', '/');
        }
        await Task.CompletedTask;
    }

    public Task MoveFolderAsync(string fromKey, string toKey, CancellationToken ct)
    {
        var from = Resolve(fromKey);
        var to = Resolve(toKey);
        if (Directory.Exists(to) || File.Exists(to)) throw new ConflictException($"The file store already holds '{toKey}'.");
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        if (Directory.Exists(from)) Directory.Move(from, to);
        else Directory.CreateDirectory(to);
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string key, CancellationToken ct)
    {
        var path = Resolve(key);
        if (File.Exists(path)) File.Delete(path);
        else if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Maps a key to a path, refusing anything that could leave the root.</summary>
    private string Resolve(string key)
    {
        var segments = StoreKey.Segments(key);
        var path = Path.GetFullPath(Path.Combine([_root, .. segments]));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"'{key}' points outside the file store.", nameof(key));
        return path;
    }
}
