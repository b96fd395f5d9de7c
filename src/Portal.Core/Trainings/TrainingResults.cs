using System.Text.Json;
using Microsoft.Extensions.Logging;
using Portal.Core.Entities;
using Portal.Core.Services;
using Portal.Core.Storage;

namespace Portal.Core.Trainings;

/// <summary>
/// What a training leaves: at its end the executed notebook and its HTML move from the workspace into the file store and
/// failure.json is read; afterwards the stored results are opened for download.
/// </summary>
public sealed class TrainingResults(IFileStore files, TrainingWorkspace workspace, ILogger<TrainingResults> logger)
{
    /// <summary>Stores what the run wrote and returns the failing cell, if the runner recorded one.</summary>
    public async Task<TrainingFailure?> CollectAsync(long id, CancellationToken ct)
    {
        var dir = workspace.DirectoryFor(id);
        await StoreIfPresentAsync(Path.Combine(dir, TrainingPaths.Output), TrainingPaths.Result(id, TrainingPaths.ExecutedNotebook), ct);
        await StoreIfPresentAsync(Path.Combine(dir, TrainingPaths.OutputHtml), TrainingPaths.Result(id, TrainingPaths.ExecutedHtml), ct);
        return ReadFailure(Path.Combine(dir, TrainingPaths.Failure));
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
        if (!File.Exists(path)) return;
        await using var source = File.OpenRead(path);
        await files.SaveAsync(key, source, null, ct);
    }

    private TrainingFailure? ReadFailure(string path)
    {
        if (!File.Exists(path)) return null;
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
