using System.Text;
using Portal.Core.Logs;

namespace Portal.Web.Api;

/// <summary>A task's log as a text download, one line each. The lines are asked for before the response starts, so a bad request is still a 4xx.</summary>
public static class LogDownload
{
    public static async Task WriteAsync(IAsyncEnumerable<SequencedLogLine> lines, string fileName, HttpResponse response, CancellationToken ct)
    {
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        await using var writer = new StreamWriter(response.Body, new UTF8Encoding(false));
        await foreach (var line in lines.WithCancellation(ct)) await writer.WriteLineAsync(TaskLogBook.Format(line));
    }
}
