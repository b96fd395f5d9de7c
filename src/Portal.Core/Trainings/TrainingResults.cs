using System.Text.Json;
using Microsoft.Extensions.Logging;
using Portal.Core.Batch;
using Portal.Core.Entities;
using Portal.Core.Services;
using Portal.Core.Storage;

namespace Portal.Core.Trainings;

/// <summary>
/// What a training leaves: at its end the executed notebook and its HTML move from the workspace into the file store,
/// failure.json is read and a batch job's predictions become a dataset; afterwards the stored results are opened for
/// download. The workspace was written by the run's code, so a link in it is never followed.
/// </summary>
public sealed class TrainingResults(IFileStore files, TrainingWorkspace workspace, ScoredOutput scored, ILogger<TrainingResults> logger)
{
    /// <summary>
    /// Stores what the run wrote and returns the failing cell, if the runner recorded one; for a batch job whose run
    /// <paramref name="succeeded"/>, the dataset its predictions became, or why they could not be stored.
    /// </summary>
    public async Task<CollectedResults> CollectAsync(Training training, bool succeeded, CancellationToken ct)
    {
        var id = training.Id;
        var dir = workspace.DirectoryFor(id);
        await StoreIfPresentAsync(Path.Combine(dir, TrainingPaths.Output), TrainingPaths.Result(id, TrainingPaths.ExecutedNotebook), ct);
        await StoreIfPresentAsync(Path.Combine(dir, TrainingPaths.OutputHtml), TrainingPaths.Result(id, TrainingPaths.ExecutedHtml), ct);
        var failure = ReadFailure(Path.Combine(dir, TrainingPaths.Failure));
        if (training.Kind != TrainingKind.Batch || !succeeded) return new CollectedResults(failure, null, null);
        var (datasetId, problem) = await scored.StoreAsync(training, dir, ct);
        return new CollectedResults(failure, datasetId, problem);
    }

    public void DeleteWorkspace(long id)
    {
        var dir = workspace.DirectoryFor(id);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    public async Task<DownloadableFile?> OpenAsync(long id, string file, CancellationToken ct)
    {
        var key = TrainingPaths.Result(id, file);
        if (!await files.ExistsAsync(key, ct)) return null;
        var stream = await files.OpenReadAsync(key, ct);
        return new DownloadableFile(file, stream.Length, stream);
    }

    private async Task StoreIfPresentAsync(string path, string key, CancellationToken ct)
    {
        if (new FileInfo(path) is not { Exists: true } file) return;
        if (file.LinkTarget is not null)
        {
            logger.LogWarning("{Path} is a link to {Target}: a run's results must be files it wrote; not stored", path, file.LinkTarget);
            return;
        }
        await using var source = File.OpenRead(path);
        await files.SaveAsync(key, source, null, ct);
    }

    private TrainingFailure? ReadFailure(string path)
    {
        if (new FileInfo(path) is not { Exists: true, LinkTarget: null }) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var r = doc.RootElement;
            return new TrainingFailure(
                r.TryGetProperty("cell_index", out var i) && i.ValueKind == JsonValueKind.Number ? i.GetInt32() : null,
                r.TryGetProperty("source", out var s) ? s.GetString() : null,
                r.GetProperty("ename").GetString() ?? "Error",
                r.GetProperty("evalue").GetString() ?? "",
                r.TryGetProperty("traceback", out var tb) ? tb.EnumerateArray().Select(l => l.GetString() ?? "").ToList() : []);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            logger.LogWarning("Unreadable {Path}: {Message}", path, e.Message);
            return null;
        }
    }
}

/// <summary>What a run left: the failing cell, and for a batch job the dataset of its predictions or why there is none.</summary>
public sealed record CollectedResults(TrainingFailure? Failure, long? ScoredDatasetId, string? ScoredProblem);
