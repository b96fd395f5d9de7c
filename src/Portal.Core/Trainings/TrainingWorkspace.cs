using System.Globalization;
using System.Text;
using Portal.Core.Configuration;
using Portal.Core.Storage;

namespace Portal.Core.Trainings;

/// <summary>
/// The folder a training runs in, shared with its workload (mounted at <see cref="Containers.WorkMounts.Work"/>): the
/// injected notebook goes in, the executed notebook, its HTML and failure.json come out; compressed datasets and model
/// versions are unpacked into it. <see cref="TrainingResults"/> removes it once the results are stored.
/// </summary>
public sealed class TrainingWorkspace(PortalPaths paths, IFileStore files)
{
    public string DirectoryFor(long trainingId) =>
        Path.Combine(paths.DataDir, "work", "trainings", trainingId.ToString(CultureInfo.InvariantCulture));

    /// <param name="fetched">The workload fetches its datasets and starting version itself (it may run on another node):
    /// only the notebook is put here, for it to fetch.</param>
    public async Task<PreparedWorkspace> PrepareAsync(long trainingId, TrainingLaunchPlan plan, bool fetched, CancellationToken ct)
    {
        var dir = DirectoryFor(trainingId);
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, TrainingPaths.Input), plan.InjectedNotebook, new UTF8Encoding(false), ct);
        if (fetched) return new PreparedWorkspace(dir, [], null, Fetched: true);
        var datasets = new List<(string Name, string Folder)>();
        foreach (var d in plan.Datasets) datasets.Add((d.Name, await ArtifactFolders.OfDatasetAsync(files, d, dir, ct)));
        var pretrained = plan.Pretrained is null ? null : await ArtifactFolders.OfModelVersionAsync(files, plan.Pretrained, dir, ct);
        return new PreparedWorkspace(dir, datasets, pretrained, Fetched: false);
    }
}

/// <summary>The workspace folder on the host and the artifact folders to mount from it, or none when the workload fetches them.</summary>
public sealed record PreparedWorkspace(string Dir, IReadOnlyList<(string Name, string Folder)> Datasets, string? Pretrained, bool Fetched);
