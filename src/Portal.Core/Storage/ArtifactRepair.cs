using System.Globalization;
using Microsoft.Extensions.Logging;
using Portal.Core.Configuration;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Storage;

/// <summary>
/// Runs once at start, before anything is served: removes what a portal killed mid-write left in the file store.
/// Uploads staged by a process that no longer runs (the client retries them), and dataset or version folders whose
/// record was never committed (the record is committed only after its files are in place, so the reverse cannot be);
/// build checkouts of a stopped process, and workspaces of trainings that ended (a given-up training keeps its own).
/// </summary>
public sealed class ArtifactRepair(
    IFileStore files, IDatasetStore datasets, IModelVersionStore versions, ITrainingStore trainings, PortalPaths paths,
    ILogger<ArtifactRepair> logger)
{
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var removed = 0;
        foreach (var upload in await FoldersAsync(StorageKeys.StagingRoot, ct))
        {
            if (OwnerProcess.IsAlive(upload)) continue;
            await RemoveAsync($"{StorageKeys.StagingRoot}/{upload}", "an upload that a stopped portal process was receiving", ct);
            removed++;
        }
        removed += await RemoveUnrecordedAsync(StorageKeys.DatasetsRoot, await datasets.IdsAsync(ct), "dataset", ct);
        removed += await RemoveUnrecordedAsync(StorageKeys.VersionsRoot, await versions.IdsAsync(ct), "model version", ct);
        removed += RemoveFolders(
            Path.Combine(paths.DataDir, "work", "builds"), name => !OwnerProcess.IsAlive(name), "a build checkout of a stopped portal process");
        var ended = new HashSet<string>();
        foreach (var folder in Folders(Path.Combine(paths.DataDir, "work", "trainings")))
            if (!long.TryParse(folder, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                || await trainings.GetAsync(id, ct) is not { } t || t.Task.State is not (TaskState.Waiting or TaskState.Running) && !t.Task.GivenUp)
                ended.Add(folder);
        removed += RemoveFolders(Path.Combine(paths.DataDir, "work", "trainings"), ended.Contains, "the workspace of a training that ended");
        return removed;
    }

    private int RemoveFolders(string parent, Func<string, bool> stray, string what)
    {
        var removed = 0;
        foreach (var folder in Folders(parent).Where(stray))
        {
            Directory.Delete(Path.Combine(parent, folder), recursive: true);
            logger.LogWarning("Removed {Folder}: {What} (left by a crash)", Path.Combine(parent, folder), what);
            removed++;
        }
        return removed;
    }

    private static List<string> Folders(string parent) =>
        Directory.Exists(parent) ? Directory.EnumerateDirectories(parent).Select(Path.GetFileName).OfType<string>().ToList() : [];

    private async Task<int> RemoveUnrecordedAsync(string root, IReadOnlySet<long> recorded, string what, CancellationToken ct)
    {
        var removed = 0;
        foreach (var folder in await FoldersAsync(root, ct))
        {
            if (long.TryParse(folder, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && recorded.Contains(id)) continue;
            await RemoveAsync($"{root}/{folder}", $"the files of a {what} whose record was never committed", ct);
            removed++;
        }
        return removed;
    }

    private async Task RemoveAsync(string key, string what, CancellationToken ct)
    {
        await files.DeleteAsync(key, ct);
        logger.LogWarning("Removed {Key} from the file store: {What} (left by a crash)", key, what);
    }

    /// <summary>The first-level folders under <paramref name="root"/> that hold files.</summary>
    private async Task<IReadOnlyList<string>> FoldersAsync(string root, CancellationToken ct)
    {
        var folders = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var file in files.ListAsync(root, ct))
            if (file.IndexOf('/') is > 0 and var slash) folders.Add(file[..slash]);
        return [.. folders];
    }
}
