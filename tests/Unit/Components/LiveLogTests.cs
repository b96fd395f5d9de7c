using System.Threading.Channels;
using Bunit;
using Portal.Core.Containers;
using Portal.Web.Components.Shared;

namespace Portal.Tests.Unit.Components;

/// <summary>
/// The live log sends lines to the page in batches through JS interop (the page appends them; Blazor's renderer never sees
/// them): every line arrives once and in order, a flood goes in few large messages, a quiet log shows each line at once.
/// </summary>
public sealed class LiveLogTests : BunitContext, IAsyncLifetime
{
    public LiveLogTests() => JSInterop.Mode = JSRuntimeMode.Loose;

    private List<string> Appended() => [.. JSInterop.Invocations.Where(i => i.Identifier == "portal.logView.append").SelectMany(i => (string[])i.Arguments[1]!)];

    [Fact]
    public void A_flood_of_lines_reaches_the_page_whole_in_order_and_in_few_messages()
    {
        var lines = Enumerable.Range(1, 5000).Select(i => new LogLine(DateTime.UtcNow, i % 10 == 0 ? LogSource.Stderr : LogSource.Stdout, $"line {i}")).ToList();
        var log = Render<LiveLog>(p => p.Add(l => l.Source, _ => lines.ToAsyncEnumerable()));
        // Waited for off the renderer's dispatcher, which the batches need to reach the page.
        WaitForAssertion(() => Assert.Contains(JSInterop.Invocations, i => i.Identifier == "portal.logView.end"));
        Assert.Equal(lines.Select(l => l.Text), Appended());
        var batches = JSInterop.Invocations.Where(i => i.Identifier == "portal.logView.append").ToList();
        Assert.InRange(batches.Count, 3, 10);
        var streams = string.Concat(batches.Select(b => (string)b.Arguments[2]!));
        Assert.Equal('1', streams[9]);
        Assert.Equal('0', streams[0]);
        Assert.Empty(log.FindAll(".log-line"));
    }

    [Fact]
    public async Task A_quiet_log_shows_each_line_as_soon_as_it_is_written()
    {
        var channel = Channel.CreateUnbounded<LogLine>();
        Render<LiveLog>(p => p.Add(l => l.Source, ct => channel.Reader.ReadAllAsync(ct)));
        await channel.Writer.WriteAsync(new LogLine(DateTime.UtcNow, LogSource.Stdout, "first"));
        WaitForAssertion(() => Assert.Equal(["first"], Appended()));
        await channel.Writer.WriteAsync(new LogLine(DateTime.UtcNow, LogSource.Stdout, "second"));
        WaitForAssertion(() => Assert.Equal(["first", "second"], Appended()));
        Assert.DoesNotContain(JSInterop.Invocations, i => i.Identifier == "portal.logView.end");
        channel.Writer.Complete();
        WaitForAssertion(() => Assert.Contains(JSInterop.Invocations, i => i.Identifier == "portal.logView.end"));
    }

    [Fact]
    public void A_log_the_page_follows_on_the_hub_is_not_also_read_by_the_circuit()
    {
        JSInterop.Setup<bool>("portal.logView.follow", _ => true).SetResult(true);
        var read = false;
        Render<LiveLog>(p => p.Add(l => l.Source, _ => { read = true; return AsyncEnumerable.Empty<LogLine>(); })
            .Add(l => l.Hub, HubLog.Training("iris", "t1")));
        var follow = JSInterop.VerifyInvoke("portal.logView.follow");
        Assert.Equal("FollowTrainingBatches", follow.Arguments[1]);
        Assert.Equal(new object[] { "iris", "t1" }, (object[])follow.Arguments[2]!);
        Thread.Sleep(300);
        Assert.False(read);
        Assert.DoesNotContain(JSInterop.Invocations, i => i.Identifier == "portal.logView.append");
    }

    [Fact]
    public void Without_the_hub_client_on_the_page_the_circuit_sends_the_lines()
    {
        JSInterop.Setup<bool>("portal.logView.follow", _ => true).SetResult(false);
        Render<LiveLog>(p => p.Add(l => l.Source, _ => new[] { new LogLine(DateTime.UtcNow, LogSource.Stdout, "only") }.ToAsyncEnumerable())
            .Add(l => l.Hub, HubLog.Build("run-1")));
        WaitForAssertion(() => Assert.Equal(["only"], Appended()));
    }

    private static void WaitForAssertion(Action assertion)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try { assertion(); return; }
            // bUnit's list of invocations is not safe to read while the log's task adds to it: a clash is read again.
            catch (Exception e) when (e is Xunit.Sdk.XunitException or InvalidOperationException && DateTime.UtcNow < until) { Thread.Sleep(20); }
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => base.DisposeAsync().AsTask();
}
