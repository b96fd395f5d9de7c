using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Docker.DotNet;
using Portal.Core.Containers;

namespace Portal.Orchestration.Docker;

/// <summary>
/// Turns the library's demultiplexed log output into lines: the engine cuts output into frames anywhere, so a line
/// (or a UTF-8 character) split across frames is joined first; each line starts with the RFC 3339 timestamp the
/// portal asks for.
/// </summary>
public static class DockerLogLines
{
    public static async IAsyncEnumerable<LogLine> ReadAsync(MultiplexedStream stream, [EnumeratorCancellation] CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        var pending = new Dictionary<LogSource, (Decoder Decoder, StringBuilder Text)>
        {
            [LogSource.Stdout] = (Encoding.UTF8.GetDecoder(), new StringBuilder()),
            [LogSource.Stderr] = (Encoding.UTF8.GetDecoder(), new StringBuilder()),
        };
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, ct);
            if (read.EOF) break;
            var source = read.Target == MultiplexedStream.TargetStream.StandardError ? LogSource.Stderr : LogSource.Stdout;
            var (decoder, text) = pending[source];
            text.Append(chars, 0, decoder.GetChars(buffer, 0, read.Count, chars, 0));
            var end = text.ToString().LastIndexOf('\n');
            if (end < 0) continue;
            var complete = text.ToString(0, end);
            text.Remove(0, end + 1);
            foreach (var line in complete.Split('\n')) yield return Parse(source, line.TrimEnd('\r'));
        }
        foreach (var (source, (_, rest)) in pending)
            if (rest.Length > 0) yield return Parse(source, rest.ToString());
    }

    private static LogLine Parse(LogSource source, string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0 && DateTime.TryParse(line[..space], CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
            return new LogLine(time, source, line[(space + 1)..]);
        return new LogLine(DateTime.UtcNow, source, line);
    }
}
