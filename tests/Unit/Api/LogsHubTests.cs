using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Security;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Api;

/// <summary>The log hub (/hubs/logs) with the real SignalR client over real Kestrel, following a real notebook run.</summary>
public sealed class LogsHubTests
{
    public sealed record Line(long Seq, DateTime Timestamp, int Stream, string Text);

    private static Uri HubAddress(RealPortalHost portal) => new(new Uri(portal.BaseAddress), "/hubs/logs");

    private static Task<HubConnection> ConnectAsync(RealPortalHost portal) => ConnectAsync(portal, portal.AdminToken);

    private static async Task<HubConnection> ConnectAsync(RealPortalHost portal, string token)
    {
        var connection = new HubConnectionBuilder().WithUrl(HubAddress(portal), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token)).Build();
        await connection.StartAsync();
        return connection;
    }

    /// <summary>A browser's connection: its sign-in cookie, no token.</summary>
    private static async Task<HubConnection> ConnectAsync(RealPortalHost portal, CookieContainer cookies)
    {
        var connection = new HubConnectionBuilder().WithUrl(HubAddress(portal), o => o.Cookies = cookies).Build();
        await connection.StartAsync();
        return connection;
    }

    /// <summary>A notebook that prints a line every 100 ms for a minute: a log that is live for the whole test.</summary>
    private static async Task StartLongTrainingAsync(RealPortalHost portal, string name)
    {
        var home = WriteNotebook(portal.Dir, "proj", "n = 1", "import time\nfor i in range(n):\n    print(f'tick {i}', flush=True)\n    time.sleep(0.1)");
        await CreateProjectAsync(portal.Http, "p", home);
        (await portal.Http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name, notebook = "nb.ipynb", parameters = new { n = 600 } }))
            .EnsureSuccessStatusCode();
    }

    /// <summary>Reads the stream in the background until it ends; the first line read completes <paramref name="first"/>.</summary>
    private static Task Drain(HubConnection connection, TaskCompletionSource first) => Task.Run(async () =>
    {
        await foreach (var _ in connection.StreamAsync<Line>("FollowTraining", "p", "long", 0L)) first.TrySetResult();
    });

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

    [SkippableFact]
    public async Task A_stream_ends_when_its_session_does_signed_out_disabled_or_token_revoked()
    {
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync();
        await StartLongTrainingAsync(portal, "long");
        var users = portal.Services.GetRequiredService<UserService>();
        var tokens = portal.Services.GetRequiredService<AccessTokenService>();
        var (_, samCookies) = await CookieBrowser.SignInAsync(portal, "sam", Roles.DataScientist);
        var (_, veraCookies) = await CookieBrowser.SignInAsync(portal, "vera", Roles.Viewer);
        var tomToken = await TestIdentities.TokenAsync(portal.Services, "tom", Roles.DataScientist);

        // Each may follow the log, as each may read it (GET …/log): a viewer too.
        var followers = new Dictionary<string, (HubConnection Connection, Task Stream)>();
        foreach (var (who, connect) in new (string, Func<Task<HubConnection>>)[]
                 {
                     ("sam", () => ConnectAsync(portal, samCookies)), ("vera", () => ConnectAsync(portal, veraCookies)),
                     ("tom", () => ConnectAsync(portal, tomToken)), ("admin", () => ConnectAsync(portal)),
                 })
        {
            var connection = await connect();
            var first = new TaskCompletionSource();
            var stream = Drain(connection, first);
            await first.Task.WaitAsync(TimeSpan.FromSeconds(60));
            followers[who] = (connection, stream);
        }

        await users.EndSessionsAsync("sam", CancellationToken.None);
        await users.UpdateAsync("vera", [Roles.Viewer], disabled: true, null, null, CancellationToken.None);
        var tomsToken = Assert.Single(await tokens.ListAsync("tom", CancellationToken.None));
        await tokens.RevokeAsync("tom", tomsToken.Id, CancellationToken.None);

        foreach (var who in new[] { "sam", "vera", "tom" })
        {
            var ended = await Assert.ThrowsAsync<HubException>(() => followers[who].Stream.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("Your session has ended", ended.Message);
        }
        // The admin's session holds: still following.
        Assert.False(followers["admin"].Stream.IsCompleted);
        foreach (var (connection, _) in followers.Values) await connection.DisposeAsync();
    }

    [SkippableFact]
    public async Task A_negative_line_number_is_refused_with_what_to_send()
    {
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync();
        await StartLongTrainingAsync(portal, "long");
        await using var connection = await ConnectAsync(portal);
        var refused = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var _ in connection.StreamAsync<Line>("FollowTraining", "p", "long", -1L)) { }
        });
        Assert.Contains("-1 is not a line number: the first line is 0", refused.Message);
        var download = await portal.Http.GetAsync("/api/v1/trainings/p/long/log?from=-1");
        Assert.Equal(HttpStatusCode.BadRequest, download.StatusCode);
        Assert.Contains("the first line is 0", await download.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Nobody_signed_out_and_no_page_of_another_site_opens_the_hub()
    {
        await using var portal = await RealPortalHost.StartAsync();
        var anonymous = new HubConnectionBuilder().WithUrl(HubAddress(portal)).Build();
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.StartAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        // A page of another origin of the same site opens a websocket, and the browser sends the victim's cookie along.
        var (_, cookies) = await CookieBrowser.SignInAsync(portal, "victim", Roles.DataScientist);
        var socketAddress = new UriBuilder(HubAddress(portal)) { Scheme = "ws" }.Uri;
        async Task<HttpStatusCode> OpenFromAsync(string origin)
        {
            using var socket = new ClientWebSocket();
            socket.Options.Cookies = cookies;
            socket.Options.CollectHttpResponseDetails = true;
            socket.Options.SetRequestHeader("Origin", origin);
            try { await socket.ConnectAsync(socketAddress, CancellationToken.None); }
            catch (WebSocketException) { }
            return socket.HttpStatusCode;
        }
        var host = new Uri(portal.BaseAddress).Authority;
        Assert.Equal(HttpStatusCode.SwitchingProtocols, await OpenFromAsync($"http://{host}"));
        Assert.Equal(HttpStatusCode.Forbidden, await OpenFromAsync($"http://{host.Split(':')[0]}:1"));
        Assert.Equal(HttpStatusCode.Forbidden, await OpenFromAsync("https://evil.example"));
    }
}
