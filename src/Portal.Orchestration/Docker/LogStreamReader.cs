using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Portal.Core.Containers;

namespace Portal.Orchestration.Docker;

/// <summary>
/// Reads Docker's multiplexed log stream: frames of an 8-byte header (stream type, 3 zero bytes, big-endian
/// length) and a payload; payload lines start with an RFC 3339 timestamp when asked for. A line split across
/// frames is joined before it is reported.
/// </summary>
public static class LogStreamReader
{
    public static async IAsyncEnumerable<LogLine> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken ct)
    {
        var header = new byte[8];
        var pending = new Dictionary<LogStream, StringBuilder> { [LogStream.Stdout] = new(), [LogStream.Stderr] = new() };
        while (true)
        {
            if (!await FillAsync(stream, header, ct)) break;
            var kind = header[0] == 2 ? LogStream.Stderr : LogStream.Stdout;
            var length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
            var payload = new byte[length];
            if (!await FillAsync(stream, payload, ct)) break;
            var buffer = pending[kind].Append(Encoding.UTF8.GetString(payload));
            var text = buffer.ToString();
            var end = text.LastIndexOf('\n');
            if (end < 0) continue;
            buffer.Clear().Append(text[(end + 1)..]);
            foreach (var line in text[..end].Split('\n')) yield return Parse(kind, line.TrimEnd('\r'));
        }
        foreach (var (kind, rest) in pending)
            if (rest.Length > 0) yield return Parse(kind, rest.ToString());
    }

    private static LogLine Parse(LogStream kind, string line)
    {
        var space = line.IndexOf(' ');
        if (space > 0 && DateTime.TryParse(line[..space], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
            return new LogLine(time, kind, line[(space + 1)..]);
        return new LogLine(DateTime.UtcNow, kind, line);
    }

    private static async Task<bool> FillAsync(Stream stream, byte[] buffer, CancellationToken ct)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), ct);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }
}
