using System.Globalization;
using Portal.Core.Entities;

namespace Portal.Core.Storage;

/// <summary>
/// The folder a workload mounts a dataset's or a model version's files from: their folder in the local file store,
/// or a folder under the caller's work directory they are unpacked (kept compressed) or fetched (from a bucket) into once.
/// Trainings, deployments and IDE sessions all mount artifacts this way.
/// </summary>
public static class ArtifactFolders
{
    public static Task<string> OfDatasetAsync(IFileStore store, Dataset dataset, string workDir, CancellationToken ct) =>
        FolderAsync(store, $"{StorageKeys.Dataset(dataset.Id)}/files", dataset.Compressed, StorageKeys.DatasetArchive(dataset.Id),
            Path.Combine(workDir, "datasets", dataset.Id.ToString(CultureInfo.InvariantCulture)), ct);

    /// <summary>One folder per version, so that during a rolling update the old replicas keep reading theirs.</summary>
    public static Task<string> OfModelVersionAsync(IFileStore store, ModelVersion version, string workDir, CancellationToken ct) =>
        FolderAsync(store, StorageKeys.ModelVersionFiles(version.Id), version.Compressed, StorageKeys.ModelVersionArchive(version.Id),
            Path.Combine(workDir, "versions", version.Id.ToString(CultureInfo.InvariantCulture)), ct);

    private static async Task<string> FolderAsync(IFileStore store, string filesKey, bool compressed, string archiveKey, string unpacked, CancellationToken ct)
    {
        // The local store's own folder is mounted as it is; elsewhere (a bucket) the files are fetched once.
        if (!compressed && store is LocalFileStore local) return Path.Combine(local.Root, filesKey);
        if (Directory.Exists(unpacked)) return unpacked;
        // Unpacked beside and renamed when complete: a crash mid-way never leaves a folder that looks finished.
        var partial = unpacked + ".partial";
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        if (compressed) await TarArchives.ExtractAsync(store, archiveKey, partial, ct);
        else await DownloadAsync(store, filesKey, partial, ct);
        Directory.Move(partial, unpacked);
        return unpacked;
    }

    private static async Task DownloadAsync(IFileStore store, string folderKey, string target, CancellationToken ct)
    {
        Directory.CreateDirectory(target);
        await foreach (var relative in store.ListAsync(folderKey, ct))
        {
            var path = Path.Combine([target, .. StoreKey.Segments(relative)]);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using var source = await store.OpenReadAsync($"{folderKey}/{relative}", ct);
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
            await source.CopyToAsync(file, ct);
        }
    }
}
