using System.Text.Json;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Services;
using Portal.Core.Stores;
using Portal.Core.Trainings;

namespace Portal.Core.Batch;

/// <summary>
/// Stores what a finished batch job wrote into its workspace's scored folder as a new dataset of the version's model, with
/// where it came from in its details. The folder was written by the job's code: a link in it (to the portal's secrets,
/// to another user's data on the host) is refused, never followed.
/// </summary>
public sealed class ScoredOutput(DatasetService datasets)
{
    /// <summary>The training detail naming the dataset the predictions are to become.</summary>
    public const string OutputDetail = "scored_into";

    /// <summary>The new dataset's id, or why there is none.</summary>
    public async Task<(long? DatasetId, string? Problem)> StoreAsync(Training job, string workspaceDir, CancellationToken ct)
    {
        var output = job.Details.TryGetValue(OutputDetail, out var named) ? named.GetString() : null;
        var model = ReferenceLookups.Split(job.PretrainedName)?.Model;
        if (output is null || model is null) return (null, "The batch job does not say which dataset its predictions become.");
        var folder = Path.Combine(workspaceDir, BatchNotebook.ScoredFolder);
        if (new DirectoryInfo(folder) is not { Exists: true, LinkTarget: null })
            return (null, "The batch job wrote no predictions.");
        var written = new DirectoryInfo(folder).EnumerateFileSystemInfos().OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        if (written.FirstOrDefault(f => f.LinkTarget is not null || f is not FileInfo) is { } odd)
            return (null, $"The batch job left '{odd.Name}' among its predictions, which is not a plain file; nothing was stored.");
        if (written.Count == 0) return (null, "The batch job wrote no predictions.");

        var source = job.Datasets.FirstOrDefault();
        var details = JsonSerializer.Serialize(new Dictionary<string, string?>
        {
            ["scored_by"] = job.PretrainedName, ["source"] = source is null ? null : $"{source.Model}/{source.Name}",
            ["batch_job"] = $"{job.Project?.Name}/{job.Name}",
        });
        try
        {
            await using var upload = await datasets.BeginPredictionsAsync(model, new DatasetDraft(output, DetailsJson: details), ct);
            foreach (var file in written.Cast<FileInfo>())
            {
                await using var content = file.OpenRead();
                await upload.AddFileAsync(file.Name, content, ct);
            }
            return ((await upload.CommitAsync(ct)).Id, null);
        }
        catch (PortalException e)
        {
            return (null, $"The predictions could not be stored as the dataset '{model}/{output}': {e.Message}");
        }
    }
}
