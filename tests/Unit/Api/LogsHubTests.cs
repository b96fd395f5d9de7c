using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Api;

/// <summary>The log hub (/hubs/logs) with the real SignalR client over real Kestrel, following a real notebook run.</summary>
public sealed class LogsHubTests
{
    public sealed record Line(long Seq, DateTime Timestamp, int Stream, string Text);

    private static async Task<HubConnection> ConnectAsync(RealPortalHost portal)
    {
        var connection = new HubConnectionBuilder().WithUrl(new Uri(new Uri(portal.BaseAddress), "/hubs/logs"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(portal.AdminToken)).Build();
        await connection.StartAsync();
        return connection;
    }

    [SkippableFact]
    public async Task A_client_that_reconnects_from_its_last_seq_gets_every_line_once_in_order()
    {
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync();
        var home = WriteNotebook(portal.Dir, "proj", "n = 1", "import time\nfor i in range(n):\n    print(f'line {i}', flush=True)\n    time.sleep(0.01)");
        await CreateProjectAsync(portal.Http, "p", home);
        (await portal.Http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name = "chatty", notebook = "nb.ipynb", parameters = new { n = 400 } })).EnsureSuccessStatusCode();

        var received = new List<Line>();
        await using (var first = await ConnectAsync(portal))
        {
            await foreach (var line in first.StreamAsync<Line>("FollowTraining", "p", "chatty", 0L))
            {
                received.Add(line);
                if (line.Text == "line 50") break;
            }
        }
        // Disconnected while the notebook keeps printing; the second connection asks from the next seq.
        await Task.Delay(500);
        await using (var second = await ConnectAsync(portal))
        {
            await foreach (var line in second.StreamAsync<Line>("FollowTraining", "p", "chatty", received[^1].Seq + 1))
                received.Add(line);
        }

        Assert.Equal(Enumerable.Range(0, received.Count).Select(i => (long)i), received.Select(l => l.Seq));
        var printed = received.Where(l => l.Text.StartsWith("line ", StringComparison.Ordinal)).Select(l => l.Text).ToList();
        Assert.Equal(Enumerable.Range(0, 400).Select(i => $"line {i}"), printed);
        var stored = await portal.Http.GetStringAsync("/api/v1/trainings/p/chatty/log");
        Assert.Equal(received.Count, stored.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        // The pages' variant: the same lines, the stored part of the log in a few large batches.
        var batches = new List<Line[]>();
        await using (var third = await ConnectAsync(portal))
        {
            await foreach (var batch in third.StreamAsync<Line[]>("FollowTrainingBatches", "p", "chatty", 0L))
                batches.Add(batch);
        }
        Assert.Equal(received.Select(l => l.Seq), batches.SelectMany(b => b).Select(l => l.Seq));
        Assert.InRange(batches.Count, 1, received.Count / 20);
    }

    [Fact]
    public async Task Following_something_unknown_is_an_error_the_client_sees()
    {
        await using var portal = await RealPortalHost.StartAsync();
        await using var connection = await ConnectAsync(portal);
        var build = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var _ in connection.StreamAsync<Line>("FollowBuild", "nope", 0L)) { }
        });
        Assert.Contains("There is no build 'nope'", build.Message);
        var training = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var _ in connection.StreamAsync<Line>("FollowTraining", "p", "none", 0L)) { }
        });
        Assert.Contains("'none'", training.Message);
    }
}
