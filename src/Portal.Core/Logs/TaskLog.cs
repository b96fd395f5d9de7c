using System.Runtime.CompilerServices;
using Portal.Core.Containers;

namespace Portal.Core.Logs;

/// <summary>A line of a task's log with its position; readers resume after the last position they saw.</summary>
public sealed record SequencedLogLine(long Seq, DateTime Timestamp, LogSource Stream, string Text);

/// <summary>
/// The live log of one running task: lines are numbered from 0 as they arrive; any number of readers get the
/// backlog from the position they ask for, then every new line, until the task completes. One writer.
/// </summary>
public sealed class TaskLog
{
    private readonly List<SequencedLogLine> _lines = [];
    private readonly object _gate = new();
    private TaskCompletionSource _changed = NewSignal();
    private bool _completed;

    public long Count { get { lock (_gate) return _lines.Count; } }
    public bool IsCompleted { get { lock (_gate) return _completed; } }

    public void Append(LogLine line)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            if (_completed) return;
            _lines.Add(new SequencedLogLine(_lines.Count, line.Timestamp, line.Stream, line.Text));
            signal = _changed;
            _changed = NewSignal();
        }
        signal.TrySetResult();
    }

    public void Complete()
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            _completed = true;
            signal = _changed;
        }
        signal.TrySetResult();
    }

    public IReadOnlyList<SequencedLogLine> Snapshot()
    {
        lock (_gate) return [.. _lines];
    }

    /// <summary>Lines from <paramref name="fromSeq"/> on, then new ones as they come, until the task completes.</summary>
    public async IAsyncEnumerable<SequencedLogLine> FollowAsync(long fromSeq, [EnumeratorCancellation] CancellationToken ct)
    {
        // Lines are counted in an int: a seq beyond that is one no log reaches (a cast would wrap it below zero).
        var next = (int)Math.Clamp(fromSeq, 0, int.MaxValue);
        while (true)
        {
            SequencedLogLine[] batch;
            Task wait;
            bool completed;
            lock (_gate)
            {
                batch = next < _lines.Count ? _lines.GetRange(next, _lines.Count - next).ToArray() : [];
                next += batch.Length;
                completed = _completed;
                wait = _changed.Task;
            }
            foreach (var line in batch) yield return line;
            if (completed && batch.Length == 0) yield break;
            if (batch.Length == 0) await wait.WaitAsync(ct);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
