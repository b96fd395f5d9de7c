using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Api;

/// <summary>
/// A training's log followed over plain HTTP (the CLI's --follow): server-sent events as lines are written, numbered,
/// resumed after the last one a client saw, and closed with an end event when the training ends. Real Python.
/// </summary>
public sealed class LogEventStreamTests
{
    private sealed record Event(string Type, string? Id, JsonElement Data);

    [SkippableFact]
    public async Task A_followed_log_streams_numbered_lines_resumes_after_the_last_seen_and_ends_with_the_training()
    {
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync();
        var home = WriteNotebook(portal.Dir, "proj", "n = 1", "import time\nfor i in range(n):\n    print(f'tick {i}', flush=True)\n    time.sleep(0.2)");
        await CreateProjectAsync(portal.Http, "p", home);
        (await portal.Http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name = "ticks", notebook = "nb.ipynb", parameters = new { n = 15 } }))
            .EnsureSuccessStatusCode();

        // Followed from the start while it runs: every tick in order, each line's number its event id, then the end.
        var events = await ReadEventsAsync(portal.Http, "/api/v1/trainings/p/ticks/log?follow=true", null);
        var lines = events.Where(e => e.Type == "line").ToList();
        Assert.Equal(Enumerable.Range(0, lines.Count).Select(i => i.ToString()), lines.Select(e => e.Id));
        Assert.Equal(Enumerable.Range(0, 15).Select(i => $"tick {i}"), lines.Select(e => e.Data.GetProperty("text").GetString()).Where(t => t!.StartsWith("tick ", StringComparison.Ordinal)));
        Assert.Equal("end", events[^1].Type);
        // The log ends as the task does; its final state is recorded right after.
        await AssertFinishesAsync(portal.Http, "p", "ticks");

        // A client that reconnects says which line it saw last; it gets the rest, once.
        var resumed = (await ReadEventsAsync(portal.Http, "/api/v1/trainings/p/ticks/log?follow=true", "4")).Where(e => e.Type == "line").ToList();
        Assert.Equal(lines.Skip(5).Select(e => e.Id), resumed.Select(e => e.Id));
        var fromParam = (await ReadEventsAsync(portal.Http, "/api/v1/trainings/p/ticks/log?follow=true&from=10", null)).Where(e => e.Type == "line");
        Assert.Equal(lines.Skip(10).Select(e => e.Id), fromParam.Select(e => e.Id));

        var negative = await portal.Http.GetAsync("/api/v1/trainings/p/ticks/log?follow=true&from=-3");
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        Assert.Contains("-3 is not a line number", await negative.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await portal.Http.GetAsync("/api/v1/trainings/p/nope/log?follow=true")).StatusCode);
    }

    /// <summary>The events of one response until the server closes it (or 2 minutes pass).</summary>
    private static async Task<List<Event>> ReadEventsAsync(HttpClient http, string url, string? lastEventId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var events = new List<Event>();
        string type = "message", data = "";
        string? id = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0) events.Add(new Event(type, id, JsonDocument.Parse(data).RootElement.Clone()));
                (type, data, id) = ("message", "", null);
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
            else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data += line[6..];
        }
        return events;
    }
}
