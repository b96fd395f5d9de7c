using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Portal.Core.Webhooks;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Deployments.DeploymentTests;

namespace Portal.Tests.Unit.Webhooks;

/// <summary>
/// Webhooks against a real receiver on loopback: signed events arrive, a failing receiver is retried with back-off until
/// it answers, one that never answers is given up on, and only admins see or change webhooks.
/// </summary>
public sealed class WebhookTests
{
    /// <summary>An HTTP receiver on loopback that records what it got and answers each path as told.</summary>
    private sealed class Receiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        public ConcurrentQueue<(string Path, Dictionary<string, string> Headers, byte[] Body)> Got { get; } = new();
        public ConcurrentDictionary<string, int> FailFirst { get; } = new();
        public string Address { get; }

        public Receiver()
        {
            var port = FreePort();
            Address = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Address + "/");
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                var path = context.Request.Url!.AbsolutePath;
                Got.Enqueue((path, context.Request.Headers.AllKeys.ToDictionary(k => k!, k => context.Request.Headers[k]!), body.ToArray()));
                var failing = FailFirst.TryGetValue(path, out var left) && left > 0 && FailFirst.TryUpdate(path, left - 1, left);
                context.Response.StatusCode = failing ? 500 : 200;
                await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(failing ? "not now" : "thanks"));
                context.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task<JsonElement> DeliveriesAsync(HttpClient http, string webhook, Func<JsonElement, bool> done)
    {
        JsonElement items = default;
        for (var i = 0; i < 150; i++)
        {
            items = (await http.GetFromJsonAsync<JsonElement>($"/api/v1/webhooks/{webhook}/deliveries")).GetProperty("items");
            if (done(items)) return items;
            await Task.Delay(200);
        }
        throw new TimeoutException($"deliveries of {webhook}: {items}");
    }

    [SkippableFact]
    public async Task Signed_events_reach_a_loopback_receiver_a_failing_one_is_retried_and_a_dead_one_given_up()
    {
        RealPython.Require();
        using var receiver = new Receiver();
        receiver.FailFirst["/flaky"] = 2;
        // Fast back-off for the test: 0.3 s, then 1.2 s; three attempts in all.
        await using var fast = await StartWithIrisVersionAsync("local", extraYaml: "webhooks:\n  retry_seconds: 0.3\n  max_attempts: 3\n");
        var http = fast.Http;

        var good = await http.PostAsJsonAsync("/api/v1/webhooks", new { name = "good", url = $"{receiver.Address}/good", events = new[] { "version.published", "version.promoted" } });
        Assert.Equal(HttpStatusCode.Created, good.StatusCode);
        var secret = (await good.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        (await http.PostAsJsonAsync("/api/v1/webhooks", new { name = "flaky", url = $"{receiver.Address}/flaky", events = new[] { "version.published" } })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/api/v1/webhooks", new { name = "dead", url = $"http://127.0.0.1:{FreePort()}/gone", events = new[] { "version.published" } }))
            .EnsureSuccessStatusCode();
        // The secret is shown once: never in a read.
        Assert.DoesNotContain(secret, await http.GetStringAsync("/api/v1/webhooks/good"));

        await UploadIrisVersionAsync(fast, compress: false);
        (await http.PostAsJsonAsync("/api/v1/models/iris-clf/versions/2/promote", new { environment = "test", comment = "looks good" })).EnsureSuccessStatusCode();

        var delivered = await DeliveriesAsync(http, "good", items => items.GetArrayLength() == 2 && items.EnumerateArray().All(d => d.GetProperty("state").GetString() == "delivered"));
        var events = receiver.Got.Where(g => g.Path == "/good").ToList();
        Assert.Equal(["version.promoted", "version.published"], events.Select(e => e.Headers[WebhookSignature.EventHeader]).Order().ToArray());
        foreach (var (_, headers, body) in events)
        {
            var expected = WebhookSignature.Sign(secret, long.Parse(headers[WebhookSignature.TimestampHeader]), body);
            Assert.Equal(expected, headers[WebhookSignature.Header]);
            // Not the same signature with another secret: the receiver can tell.
            Assert.NotEqual(WebhookSignature.Sign(secret + "x", long.Parse(headers[WebhookSignature.TimestampHeader]), body), headers[WebhookSignature.Header]);
        }
        var published = JsonDocument.Parse(events.Single(e => e.Headers[WebhookSignature.EventHeader] == "version.published").Body).RootElement;
        Assert.Equal("2", published.GetProperty("data").GetProperty("version").GetString());
        Assert.Equal("iris-clf", published.GetProperty("data").GetProperty("model").GetString());
        Assert.All(delivered.EnumerateArray(), d => Assert.Equal(200, d.GetProperty("response_status").GetInt32()));

        var flaky = (await DeliveriesAsync(http, "flaky", items => items.GetArrayLength() == 1 && items[0].GetProperty("state").GetString() == "delivered"))[0];
        Assert.Equal(3, flaky.GetProperty("attempts").GetInt32());
        Assert.Equal(3, receiver.Got.Count(g => g.Path == "/flaky"));
        var dead = (await DeliveriesAsync(http, "dead", items => items.GetArrayLength() == 1 && items[0].GetProperty("state").GetString() == "failed"))[0];
        Assert.Equal(3, dead.GetProperty("attempts").GetInt32());
        Assert.False(string.IsNullOrEmpty(dead.GetProperty("response").GetString()));

        // Ping checks a receiver by hand.
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync("/api/v1/webhooks/good/ping", null)).StatusCode);
        await DeliveriesAsync(http, "good", items => items.EnumerateArray().Any(d => d.GetProperty("event").GetString() == "ping" && d.GetProperty("state").GetString() == "delivered"));
    }

    [Fact]
    public async Task Bad_webhooks_are_refused_by_field_and_only_admins_see_or_change_them()
    {
        await using var portal = await RealPortalHost.StartAsync();
        var refused = await portal.Http.PostAsJsonAsync("/api/v1/webhooks", new { name = "Bad Name", url = "file:///etc/passwd", events = new[] { "everything" } });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "name", "url", "events" }) Assert.True(errors.TryGetProperty(field, out _), field);
        var withPassword = await portal.Http.PostAsJsonAsync("/api/v1/webhooks", new { name = "creds", url = "https://user:pw@hooks.example.com/x" });
        Assert.Equal(HttpStatusCode.BadRequest, withPassword.StatusCode);
        Assert.Contains("password", await withPassword.Content.ReadAsStringAsync());
        (await portal.Http.PostAsJsonAsync("/api/v1/webhooks", new { name = "ops", url = "https://hooks.example.com/portal" })).EnsureSuccessStatusCode();

        using var scientist = new HttpClient { BaseAddress = new Uri(portal.BaseAddress) };
        scientist.UseToken(await TestIdentities.TokenAsync(portal.Services, "dana", Portal.Core.Security.Roles.DataScientist));
        Assert.Equal(HttpStatusCode.Forbidden, (await scientist.GetAsync("/api/v1/webhooks")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await scientist.GetAsync("/api/v1/webhooks/ops/deliveries")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await scientist.PostAsJsonAsync("/api/v1/webhooks", new { name = "mine", url = "http://127.0.0.1:1/" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await scientist.DeleteAsync("/api/v1/webhooks/ops")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await portal.Http.GetAsync("/api/v1/webhooks/ops")).StatusCode);
    }
}
