using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Portal.Core.Containers;

namespace Portal.Orchestration.Local;

/// <summary>One host process with its output kept in memory for readers, who each get the backlog then what follows.</summary>
internal sealed class LocalProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<LogLine> _lines = [];
    private readonly List<Channel<LogLine>> _followers = [];
    private readonly object _gate = new();
    private int _openStreams = 2;
    private bool _stopped;

    private LocalProcess(string id, WorkloadSpec spec, Process process)
    {
        Id = id;
        Spec = spec;
        _process = process;
    }

    public string Id { get; }
    public WorkloadSpec Spec { get; }

    public static LocalProcess Start(string id, WorkloadSpec spec, ProcessStartInfo info)
    {
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var local = new LocalProcess(id, spec, process);
        process.OutputDataReceived += (_, e) => local.Append(LogSource.Stdout, e.Data);
        process.ErrorDataReceived += (_, e) => local.Append(LogSource.Stderr, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return local;
    }

    public WorkloadStatus Status
    {
        get
        {
            if (!_process.HasExited || Volatile.Read(ref _openStreams) > 0) return new WorkloadStatus(WorkloadState.Running, RunningReplicas: 1);
            if (_stopped) return new WorkloadStatus(WorkloadState.Stopped, _process.ExitCode, "Stopped on request.");
            return _process.ExitCode == 0
                ? new WorkloadStatus(WorkloadState.Succeeded, 0)
                : new WorkloadStatus(WorkloadState.Failed, _process.ExitCode, $"The process exited with code {_process.ExitCode}.");
        }
    }

    /// <summary>Completes when the process has exited and its output is read to the end.</summary>
    public Task ExitedAsync(CancellationToken ct) => _process.WaitForExitAsync(ct);

    /// <summary>A null line means a stream closed; after both, followers are completed.</summary>
    private void Append(LogSource stream, string? text)
    {
        lock (_gate)
        {
            if (text is null)
            {
                if (--_openStreams == 0)
                {
                    foreach (var f in _followers) f.Writer.TryComplete();
                    _followers.Clear();
                }
                return;
            }
            var line = new LogLine(DateTime.UtcNow, stream, text);
            _lines.Add(line);
            foreach (var f in _followers) f.Writer.TryWrite(line);
        }
    }

    public async IAsyncEnumerable<LogLine> ReadAsync(bool follow, [EnumeratorCancellation] CancellationToken ct)
    {
        LogLine[] backlog;
        Channel<LogLine>? channel = null;
        lock (_gate)
        {
            backlog = [.. _lines];
            if (follow && _openStreams > 0)
            {
                channel = Channel.CreateUnbounded<LogLine>(new UnboundedChannelOptions { SingleReader = true });
                _followers.Add(channel);
            }
        }
        foreach (var line in backlog) yield return line;
        if (channel is null) yield break;
        try
        {
            await foreach (var line in channel.Reader.ReadAllAsync(ct)) yield return line;
        }
        finally
        {
            lock (_gate) _followers.Remove(channel);
        }
    }

    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        _stopped = true;
        try { _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
        await _process.WaitForExitAsync();
    }

    public void Dispose() => _process.Dispose();
}
