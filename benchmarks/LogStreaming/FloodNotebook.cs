using System.Text.Json.Nodes;

namespace Portal.Benchmarks.LogStreaming;

/// <summary>A notebook printing <c>rate</c> lines/s for <c>seconds</c> s in batches; each line carries its number and print time (ns).</summary>
public static class FloodNotebook
{
    private const string Flood = """
        import sys, time
        time.sleep(delay)
        per_batch = batch / rate
        start = time.time()
        n = 0
        for b in range(int(rate * seconds / batch)):
            wait = start + b * per_batch - time.time()
            if wait > 0:
                time.sleep(wait)
            now = time.time_ns()
            sys.stdout.write(''.join(f'FLOOD {n + i} {now}\n' for i in range(batch)))
            sys.stdout.flush()
            n += batch
        print(f'printed {n} lines in {time.time() - start:.1f} s', flush=True)
        """;

    public static string Json() => new JsonObject
    {
        ["cells"] = new JsonArray(
            Cell("rate = 100\nseconds = 1\nbatch = 10\ndelay = 0", parameters: true),
            Cell(Flood, parameters: false)),
        ["metadata"] = new JsonObject { ["kernelspec"] = new JsonObject { ["name"] = "python3", ["display_name"] = "Python 3", ["language"] = "python" } },
        ["nbformat"] = 4,
        ["nbformat_minor"] = 5,
    }.ToJsonString();

    private static JsonObject Cell(string source, bool parameters) => new()
    {
        ["cell_type"] = "code",
        ["execution_count"] = null,
        ["id"] = Guid.NewGuid().ToString("N")[..8],
        ["outputs"] = new JsonArray(),
        ["source"] = source,
        ["metadata"] = parameters ? new JsonObject { ["tags"] = new JsonArray("parameters") } : new JsonObject(),
    };
}
