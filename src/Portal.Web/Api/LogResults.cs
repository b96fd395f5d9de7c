using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.AspNetCore.SignalR;
using Portal.Core.Containers;
using Portal.Core.Logs;
using Portal.Web.Auth;

namespace Portal.Web.Api;

/// <summary>
/// A task's log over HTTP: a text download of what is there, or with <c>follow=true</c> a server-sent event stream that
/// resumes from a line number (<c>from</c>, or the <c>Last-Event-ID</c> a reconnecting client sends) and ends when the
/// task does. Each line is an event <c>line</c> whose id is its number; the end is an event <c>end</c>; a session that
/// ends while following (signed out, token revoked) is an event <c>error</c>. The lines are asked for before the
/// response starts, so a bad request is still a 4xx.
/// </summary>
public static class LogResults
{
    public sealed record LineDto(long Seq, DateTime Timestamp, string Stream, string Text);

    public sealed record EndDto(string Reason);

    public static IResult For(HttpContext http, TaskLogBook logs, string key, long? from, bool? follow, string fileName)
    {
        var start = from ?? LastEventId(http) ?? 0;
        return For(http, following => logs.ReadAsync(key, start, following, http.RequestAborted), follow, fileName);
    }

    /// <summary>
    /// Output read straight from the engine (a deployment's replicas): numbered from 0 in this response, with no going
    /// back to a line, since the engine keeps no numbers.
    /// </summary>
    public static IResult ForEngine(HttpContext http, Func<bool, IAsyncEnumerable<LogLine>> read, bool? follow, string fileName) =>
        For(http, following => Numbered(read(following), http.RequestAborted), follow, fileName);

    private static IResult For(HttpContext http, Func<bool, IAsyncEnumerable<SequencedLogLine>> read, bool? follow, string fileName)
    {
        if (follow != true)
        {
            var lines = read(false);
            return Results.Stream(async body =>
            {
                await using var writer = new StreamWriter(body, new UTF8Encoding(false));
                await foreach (var line in lines.WithCancellation(http.RequestAborted)) await writer.WriteLineAsync(TaskLogBook.Format(line));
            }, "text/plain; charset=utf-8", fileName);
        }
        var followed = read(true);
        var session = http.RequestServices.GetRequiredService<HubSession>();
        return TypedResults.ServerSentEvents(EventsAsync(session.WhileCurrent(http, followed, http.RequestAborted), http.RequestAborted));
    }

    private static async IAsyncEnumerable<SequencedLogLine> Numbered(IAsyncEnumerable<LogLine> lines, [EnumeratorCancellation] CancellationToken ct)
    {
        var seq = 0L;
        await foreach (var line in lines.WithCancellation(ct)) yield return new SequencedLogLine(seq++, line.Timestamp, line.Stream, line.Text);
    }

    private static async IAsyncEnumerable<SseItem<object>> EventsAsync(IAsyncEnumerable<SequencedLogLine> lines, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var reading = lines.GetAsyncEnumerator(ct);
        string? ended = null;
        while (true)
        {
            try
            {
                if (!await reading.MoveNextAsync()) break;
            }
            catch (HubException e)
            {
                ended = e.Message;
                break;
            }
            var line = reading.Current;
            yield return new SseItem<object>(new LineDto(line.Seq, line.Timestamp, line.Stream == LogSource.Stderr ? "stderr" : "stdout", line.Text), "line")
            {
                EventId = line.Seq.ToString(CultureInfo.InvariantCulture),
            };
        }
        yield return ended is null
            ? new SseItem<object>(new EndDto("The log is complete: the task has ended."), "end")
            : new SseItem<object>(new EndDto(ended), "error");
    }

    /// <summary>The line after the last one a reconnecting client saw.</summary>
    private static long? LastEventId(HttpContext http) =>
        long.TryParse(http.Request.Headers["Last-Event-ID"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var seen) ? seen + 1 : null;
}
