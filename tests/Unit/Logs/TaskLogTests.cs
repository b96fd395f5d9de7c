using Portal.Core.Containers;
using Portal.Core.Logs;
using Portal.Core.Storage;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Logs;

public class TaskLogTests
{
    private static LogLine Line(int i) => new(DateTime.UtcNow, i % 2 == 0 ? LogSource.Stdout : LogSource.Stderr, $"line {i}");

    [Fact]
    public async Task Readers_get_every_line_once_in_order_while_a_writer_appends()
    {
        var log = new TaskLog();
        var readers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var seen = new List<long>();
            await foreach (var line in log.FollowAsync(0, CancellationToken.None)) seen.Add(line.Seq);
            return seen;
        })).ToList();
        for (var i = 0; i < 20_000; i++)
        {
            log.Append(Line(i));
            if (i % 1000 == 0) await Task.Yield();
        }
        log.Complete();
        foreach (var seen in await Task.WhenAll(readers))
            Assert.Equal(Enumerable.Range(0, 20_000).Select(i => (long)i), seen);
    }

    [Fact]
    public async Task A_reader_that_reconnects_resumes_after_its_last_line()
    {
        var log = new TaskLog();
        for (var i = 0; i < 10; i++) log.Append(Line(i));
        var first = new List<SequencedLogLine>();
        using (var cts = new CancellationTokenSource())
        {
            await foreach (var line in log.FollowAsync(0, cts.Token))
            {
                first.Add(line);
                if (line.Seq == 6) break;
            }
        }
        for (var i = 10; i < 15; i++) log.Append(Line(i));
        log.Complete();
        var rest = new List<SequencedLogLine>();
        await foreach (var line in log.FollowAsync(first[^1].Seq + 1, CancellationToken.None)) rest.Add(line);
        Assert.Equal(Enumerable.Range(0, 15).Select(i => $"line {i}"), first.Concat(rest).Select(l => l.Text));
    }

    [Fact]
    public async Task A_stored_log_reads_back_with_the_same_numbering()
    {
        using var dir = new TempDir();
        var book = new TaskLogBook(new LocalFileStore(dir.Path));
        var log = book.Open("trainings/1");
        for (var i = 0; i < 5; i++) log.Append(Line(i));
        await book.PersistAndCloseAsync("trainings/1", CancellationToken.None);
        Assert.False(book.IsLive("trainings/1"));

        var lines = new List<SequencedLogLine>();
        await foreach (var line in book.ReadAsync("trainings/1", 2, follow: true, CancellationToken.None)) lines.Add(line);
        Assert.Equal([2L, 3, 4], lines.Select(l => l.Seq));
        Assert.Equal(LogSource.Stderr, lines[1].Stream);
        Assert.EndsWith("ERR line 3", TaskLogBook.Format(lines[1]));
    }

    [Fact]
    public async Task Following_waits_for_new_lines_and_can_be_cancelled()
    {
        var log = new TaskLog();
        using var cts = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            var n = 0;
            await foreach (var _ in log.FollowAsync(0, cts.Token)) n++;
            return n;
        });
        log.Append(Line(0));
        await Task.Delay(100);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader);
    }

    [Fact]
    public async Task A_seq_beyond_any_line_reads_nothing_and_a_negative_one_is_refused()
    {
        var log = new TaskLog();
        for (var i = 0; i < 3; i++) log.Append(Line(i));
        log.Complete();
        // Past int.MaxValue: the count of lines is an int, and a cast once wrapped this below zero.
        foreach (var from in new[] { int.MaxValue + 1L, long.MaxValue })
        {
            var lines = new List<SequencedLogLine>();
            await foreach (var line in log.FollowAsync(from, CancellationToken.None)) lines.Add(line);
            Assert.Empty(lines);
        }

        using var dir = new TempDir();
        var book = new TaskLogBook(new LocalFileStore(dir.Path));
        book.Open("trainings/1").Append(Line(0));
        var refused = Assert.Throws<Portal.Core.Errors.ValidationFailedException>(() => book.ReadAsync("trainings/1", -1, follow: true, CancellationToken.None));
        Assert.Contains("-1 is not a line number", refused.Message);
    }
}
