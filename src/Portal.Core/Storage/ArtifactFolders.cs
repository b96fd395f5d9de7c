using System.Globalization;
using Portal.Core.Entities;
using Portal.Core.Errors;

namespace Portal.Core.Storage;

/// <summary>
/// The folder a workload mounts a dataset's or a model version's files from: their folder in the local file store,
/// or, when they are kept compressed, a folder under the caller's work directory they are unpacked into once.
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
        var root = (store as LocalFileStore)?.Root
            ?? throw new ConflictException("Mounting datasets and model versions needs the local file store (file_store.type: local).");
        if (!compressed) return Path.Combine(root, filesKey);
        if (Directory.Exists(unpacked)) return unpacked;
        // Unpacked beside and renamed when complete: a crash mid-way never leaves a folder that looks finished.
        var partial = unpacked + ".partial";
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        await TarArchives.ExtractAsync(store, archiveKey, partial, ct);
        Directory.Move(partial, unpacked);
        return unpacked;
    }
}
