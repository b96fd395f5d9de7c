using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Portal.Core.Containers;
using Portal.Core.Storage;

namespace Portal.Core.Logs;

/// <summary>
/// Logs of tasks by key (e.g. <c>trainings/12</c>): live in memory while the task runs, then kept in the file
/// store as JSON lines (<c>{key}/log.jsonl</c>) with the same numbering, so a reader sees one continuous log.
/// </summary>
public sealed class TaskLogBook(IFileStore files)
{
    private readonly ConcurrentDictionary<string, TaskLog> _live = new();
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string StoredKey(string key) => $"{key}/log.jsonl";

    /// <summary>Starts (or restarts, after a portal restart) the live log of a task.</summary>
    public TaskLog Open(string key)
    {
        var log = new TaskLog();
        _live[key] = log;
        return log;
    }

    public bool IsLive(string key) => _live.ContainsKey(key);

    /// <summary>Stores the completed log and drops it from memory; readers following it finish normally.</summary>
    public async Task PersistAndCloseAsync(string key, CancellationToken ct)
    {
        if (!_live.TryGetValue(key, out var log)) return;
        log.Complete();
        var lines = log.Snapshot();
        await files.SaveAsync(StoredKey(key), async (target, token) =>
        {
            await using var writer = new StreamWriter(target, new UTF8Encoding(false), 65536, leaveOpen: true);
            foreach (var line in lines) await writer.WriteLineAsync(JsonSerializer.Serialize(line, Json).AsMemory(), token);
        }, null, ct);
        _live.TryRemove(key, out _);
    }

    /// <summary>A log from its first line, followed until it ends, as plain lines (the pages' live view).</summary>
    public async IAsyncEnumerable<LogLine> FollowAsync(string key, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var line in ReadAsync(key, 0, follow: true, ct)) yield return new LogLine(line.Timestamp, line.Stream, line.Text);
    }

    /// <summary>The log from <paramref name="fromSeq"/>: stored lines for a finished task, else the live log (following it if asked).</summary>
    public IAsyncEnumerable<SequencedLogLine> ReadAsync(string key, long fromSeq, bool follow, CancellationToken ct) =>
        fromSeq < 0
            ? throw new Errors.ValidationFailedException("from", $"{fromSeq} is not a line number: the first line is 0.")
            : ReadFromAsync(key, fromSeq, follow, ct);

    private async IAsyncEnumerable<SequencedLogLine> ReadFromAsync(string key, long fromSeq, bool follow, [EnumeratorCancellation] CancellationToken ct)
    {
        if (_live.TryGetValue(key, out var live))
        {
            if (follow)
            {
                await foreach (var line in live.FollowAsync(fromSeq, ct)) yield return line;
            }
            else
            {
                foreach (var line in live.Snapshot().Where(l => l.Seq >= fromSeq)) yield return line;
            }
            yield break;
        }
        if (!await files.ExistsAsync(StoredKey(key), ct)) yield break;
        await using var stream = await files.OpenReadAsync(StoredKey(key), ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(ct) is { } text)
        {
            if (text.Length == 0) continue;
            var line = JsonSerializer.Deserialize<SequencedLogLine>(text, Json)!;
            if (line.Seq >= fromSeq) yield return line;
        }
    }

    /// <summary>The log as plain text for download: one line each, stderr marked.</summary>
    public static string Format(SequencedLogLine line) =>
        $"{line.Timestamp:yyyy-MM-ddTHH:mm:ss.fffZ} {(line.Stream == LogSource.Stderr ? "ERR" : "OUT")} {line.Text}";
}
