using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Persistence;

/// <summary>
/// Two portals, each with its own host, connection pool and data directory, on one PostgreSQL database: what one writes
/// the other reads, a name raced for from both is created once (the others are told it is taken), and both audit into one log.
/// </summary>
public sealed class SharedPostgresTests
{
    [SkippableFact]
    public async Task Two_portals_on_one_postgres_database_share_every_write_and_create_each_name_once()
    {
        var store = await RealPortalHost.PostgresStoreYamlAsync();
        await using var first = await RealPortalHost.StartAsync(storeYaml: store);
        await using var second = await RealPortalHost.StartAsync(storeYaml: store);

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            (i % 2 == 0 ? first : second).Http.PostAsJsonAsync("/api/v1/models", new { name = $"model-{i % 10}", desc = $"Made by portal {i % 2 + 1}" })));
        // The loser is told the name is taken: by the check before the insert (400 on the name), or by the database (409).
        Assert.Equal(10, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        foreach (var refused in answers.Where(a => a.StatusCode != HttpStatusCode.Created))
        {
            Assert.True(refused.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.BadRequest, $"{refused.StatusCode}");
            Assert.Contains("already exists", await refused.Content.ReadAsStringAsync());
        }

        foreach (var portal in new[] { first, second })
        {
            var models = await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/models?take=100");
            Assert.Equal(10, models.GetProperty("total").GetInt32());
            // Search ignores case on PostgreSQL as on SQLite.
            Assert.Equal(10, (await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/models?search=PORTAL")).GetProperty("total").GetInt32());
        }
        (await second.Http.PutAsJsonAsync("/api/v1/models/model-3", new { name = "model-3", desc = "Changed on the second portal" })).EnsureSuccessStatusCode();
        Assert.Equal("Changed on the second portal",
            (await first.Http.GetFromJsonAsync<JsonElement>("/api/v1/models/model-3")).GetProperty("desc").GetString());

        // The second portal's change is in the log the first one reads.
        var audit = await first.Http.GetFromJsonAsync<JsonElement>("/api/v1/audit?target=model-3&take=100");
        var actions = audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()!).ToList();
        Assert.Contains(actions, a => a.Contains("update", StringComparison.OrdinalIgnoreCase) || a.StartsWith("PUT", StringComparison.Ordinal));
    }
}
