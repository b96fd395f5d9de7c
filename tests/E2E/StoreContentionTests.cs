using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Tests.E2E.Support;

namespace Portal.Tests.E2E;

/// <summary>
/// Two portal processes on one SQLite file, writing at once: every write either lands or is refused with a 503 that
/// says to try again (never a 500), the database passes SQLite's integrity check, and both see the same rows.
/// </summary>
public class StoreContentionTests
{
    [Fact]
    public async Task Two_portal_processes_writing_one_sqlite_file_at_once_lose_nothing_and_corrupt_nothing()
    {
        await using var first = await PortalProcess.StartAsync();
        await using var second = await PortalProcess.StartSharingAsync(first);
        using var a = await first.ApiClientAsync();
        using var b = await second.ApiClientAsync();

        var created = new ConcurrentBag<string>();
        var refused = new ConcurrentBag<string>();
        async Task WriterAsync(HttpClient http, string prefix)
        {
            for (var i = 0; i < 40; i++)
            {
                var name = $"{prefix}-{i}";
                using var response = await http.PostAsJsonAsync("/api/v1/models", new { name, desc = new string('x', 2000) });
                if (response.StatusCode == HttpStatusCode.Created) created.Add(name);
                else if (response.StatusCode == HttpStatusCode.ServiceUnavailable) refused.Add(name);
                else Assert.Fail($"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }
        await Task.WhenAll(
            Task.Run(() => WriterAsync(a, "a1")), Task.Run(() => WriterAsync(a, "a2")),
            Task.Run(() => WriterAsync(b, "b1")), Task.Run(() => WriterAsync(b, "b2")));
        Console.WriteLine($"two processes, 160 concurrent writes: {created.Count} created, {refused.Count} refused with 503");

        foreach (var http in new[] { a, b })
        {
            var models = await http.GetFromJsonAsync<JsonElement>("/api/v1/models?take=500");
            Assert.Equal(created.Order(StringComparer.Ordinal), models.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));
        }
        var integrity = await Portal.Tests.Shared.TestEnvironment.RunAsync("python3", null, "-c",
            "import sqlite3, sys; print(sqlite3.connect(f'file:{sys.argv[1]}?mode=ro', uri=True).execute('PRAGMA integrity_check').fetchone()[0])",
            Path.Combine(first.Root, "data", "portal.db"));
        Assert.Equal("ok", integrity.Trim());
    }
}
