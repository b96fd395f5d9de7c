using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Containers;
using Portal.Core.Schedules;
using Portal.Core.Security;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Schedules;

/// <summary>
/// Schedules in the real portal with a clock the test moves (the runner's keyed clock) and the in-memory manager: a
/// schedule every minute runs at each minute, survives a restart without running twice, skips while its run is going,
/// pauses and resumes, gives each run the model's newest dataset, refuses bad input by field, and launches as its owner.
/// </summary>
public sealed class ScheduleTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly TempDir _files = new();
    private readonly FakeContainerManager _fake = new() { ScriptFor = _ => "echo trained" };
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 10, 0, 30, TimeSpan.Zero));

    private PortalAppFactory Portal(string extraYaml = "") => new(extraYaml, s =>
    {
        s.RemoveAll<IContainerManager>();
        s.AddSingleton<IContainerManager>(new WatchSharingManager(_fake));
        s.AddKeyedSingleton<TimeProvider>(ScheduleRunner.ClockKey, _clock);
    }, _dir);

    private static async Task<JsonElement> WaitForHistoryAsync(HttpClient http, string name, int count)
    {
        for (var i = 0; i < 200; i++)
        {
            var detail = await http.GetFromJsonAsync<JsonElement>($"/api/v1/schedules/p/{name}");
            if (detail.GetProperty("schedule").GetProperty("history").GetArrayLength() >= count) return detail;
            await Task.Delay(50);
        }
        throw new TimeoutException($"schedule {name} did not come due {count} times: " + await http.GetStringAsync($"/api/v1/schedules/p/{name}"));
    }

    private static IEnumerable<(string Outcome, string? Training)> History(JsonElement detail) =>
        detail.GetProperty("schedule").GetProperty("history").EnumerateArray()
            .Select(f => (f.GetProperty("outcome").GetString()!, f.GetProperty("training").GetString()));

    private async Task<HttpClient> ProjectAsync(PortalAppFactory app)
    {
        var http = await app.CreateClientAsync();
        await CreateProjectAsync(http, "p", WriteNotebook(_files, "p", "x = 1"));
        return http;
    }

    [Fact]
    public async Task A_schedule_every_minute_runs_at_each_minute_and_after_a_restart_runs_the_missed_time_once()
    {
        using (var app = Portal())
        {
            var http = await ProjectAsync(app);
            var created = await http.PostAsJsonAsync("/api/v1/schedules", new { project = "p", name = "every", cron = "* * * * *", notebook = "nb.ipynb" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var schedule = await created.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(new DateTime(2026, 12, 1, 10, 1, 0, DateTimeKind.Utc), schedule.GetProperty("next_run_at").GetDateTime());
            Assert.Equal(3, schedule.GetProperty("upcoming").GetArrayLength());
            Assert.Empty(_fake.Started);

            _clock.Advance(TimeSpan.FromSeconds(30));
            await WaitForHistoryAsync(http, "every", 1);
            // The run ends before the next minute (else that minute is skipped, as the next test shows).
            await WaitForEndAsync(http, "p", "every-20261201-1001", 30);
            _clock.Advance(TimeSpan.FromMinutes(1));
            var detail = await WaitForHistoryAsync(http, "every", 2);
            await WaitForEndAsync(http, "p", "every-20261201-1002", 30);
            Assert.Equal([("started", "every-20261201-1002"), ("started", "every-20261201-1001")], History(detail));
            Assert.Equal(["every-20261201-1002", "every-20261201-1001"], detail.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
            Assert.Equal(new DateTime(2026, 12, 1, 10, 3, 0, DateTimeKind.Utc), detail.GetProperty("schedule").GetProperty("next_run_at").GetDateTime());
        }

        // The portal is down at 10:03 and 10:04; when it comes back at 10:04:30 the missed time runs once, then 10:05 as usual.
        _clock.Advance(TimeSpan.FromSeconds(150));
        using (var app = Portal())
        {
            var http = await app.CreateClientAsync();
            var detail = await WaitForHistoryAsync(http, "every", 3);
            await Task.Delay(500);
            detail = await http.GetFromJsonAsync<JsonElement>("/api/v1/schedules/p/every");
            Assert.Equal(3, detail.GetProperty("schedule").GetProperty("history").GetArrayLength());
            Assert.Equal(("started", "every-20261201-1003"), History(detail).First());
            Assert.Equal(new DateTime(2026, 12, 1, 10, 5, 0, DateTimeKind.Utc), detail.GetProperty("schedule").GetProperty("next_run_at").GetDateTime());
            await WaitForEndAsync(http, "p", "every-20261201-1003", 30);
            _clock.Advance(TimeSpan.FromSeconds(30));
            detail = await WaitForHistoryAsync(http, "every", 4);
            Assert.Equal(("started", "every-20261201-1005"), History(detail).First());
            Assert.Equal(4, _fake.Started.Count);
        }
    }

    [Fact]
    public async Task A_run_still_going_skips_the_next_time_unless_overlap_is_allowed_and_a_paused_schedule_runs_nothing()
    {
        _fake.ScriptFor = _ => "sleep 600";
        using var app = Portal();
        var http = await ProjectAsync(app);
        (await http.PostAsJsonAsync("/api/v1/schedules", new { project = "p", name = "alone", cron = "* * * * *", notebook = "nb.ipynb" })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/api/v1/schedules", new { project = "p", name = "overlap", cron = "* * * * *", notebook = "nb.ipynb", allow_overlap = true }))
            .EnsureSuccessStatusCode();
        _clock.Advance(TimeSpan.FromSeconds(30));
        await WaitForHistoryAsync(http, "alone", 1);
        await WaitForHistoryAsync(http, "overlap", 1);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var alone = await WaitForHistoryAsync(http, "alone", 2);
        var overlap = await WaitForHistoryAsync(http, "overlap", 2);
        Assert.Equal([("skipped", null), ("started", "alone-20261201-1001")], History(alone));
        Assert.Contains("alone-20261201-1001 is still ", alone.GetProperty("schedule").GetProperty("history")[0].GetProperty("message").GetString());
        Assert.Equal([("started", "overlap-20261201-1002"), ("started", "overlap-20261201-1001")], History(overlap));

        // Paused: no next time, and nothing runs; resumed: due again from now.
        var paused = await (await http.PostAsync("/api/v1/schedules/p/alone/pause", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(paused.GetProperty("paused").GetBoolean());
        Assert.Equal(JsonValueKind.Null, paused.GetProperty("next_run_at").ValueKind);
        Assert.Equal(HttpStatusCode.Conflict, (await http.PostAsync("/api/v1/schedules/p/alone/pause", null)).StatusCode);
        _clock.Advance(TimeSpan.FromMinutes(3));
        await WaitForHistoryAsync(http, "overlap", 3);
        Assert.Equal(2, (await http.GetFromJsonAsync<JsonElement>("/api/v1/schedules/p/alone")).GetProperty("schedule").GetProperty("history").GetArrayLength());
        var resumed = await (await http.PostAsync("/api/v1/schedules/p/alone/resume", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(new DateTime(2026, 12, 1, 10, 6, 0, DateTimeKind.Utc), resumed.GetProperty("next_run_at").GetDateTime());

        // Deleted: its runs stay.
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/api/v1/schedules/p/overlap")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/trainings/p/overlap-20261201-1001")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/v1/schedules/p/overlap")).StatusCode);
    }

    [Fact]
    public async Task Each_run_gets_the_models_newest_dataset()
    {
        using var app = Portal();
        var http = await ProjectAsync(app);
        (await http.PostAsJsonAsync("/api/v1/models", new { name = "m" })).EnsureSuccessStatusCode();
        async Task UploadAsync(string name)
        {
            using var form = new MultipartFormDataContent { { new StringContent(name), "name" }, { new ByteArrayContent("a\n1\n"u8.ToArray()), "files", "rows.csv" } };
            (await http.PostAsync("/api/v1/models/m/datasets", form)).EnsureSuccessStatusCode();
        }
        await UploadAsync("older");
        (await http.PostAsJsonAsync("/api/v1/schedules", new { project = "p", name = "nightly", cron = "0 3 * * *", notebook = "nb.ipynb", newest_dataset_of = "m" }))
            .EnsureSuccessStatusCode();
        await Task.Delay(1100);
        await UploadAsync("newer");
        _clock.Advance(TimeSpan.FromHours(17));
        var detail = await WaitForHistoryAsync(http, "nightly", 1);
        var run = detail.GetProperty("runs")[0];
        Assert.Equal("nightly-20261202-0300", run.GetProperty("name").GetString());
        Assert.Equal(["newer"], run.GetProperty("datasets").EnumerateArray().Select(d => d.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task A_bad_schedule_is_refused_by_field_and_nothing_is_stored()
    {
        using var app = Portal();
        var http = await ProjectAsync(app);
        async Task<JsonElement> RefusedAsync(object body)
        {
            var answer = await http.PostAsJsonAsync("/api/v1/schedules", body);
            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
            return (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        }
        var errors = await RefusedAsync(new { project = "p", name = "Bad Name", cron = "every night", time_zone = "Mars/Olympus", notebook = "nb.ipynb", newest_dataset_of = "nope" });
        Assert.Contains("'every night' is not a cron schedule", errors.GetProperty("cron")[0].GetString());
        Assert.Contains("not a time zone", errors.GetProperty("time_zone")[0].GetString());
        Assert.Contains("There is no model named 'nope'", errors.GetProperty("newest_dataset_of")[0].GetString());
        Assert.True(errors.TryGetProperty("name", out _));
        errors = await RefusedAsync(new { project = "nope", name = "n", cron = "0 3 * * *", notebook = "missing.ipynb" });
        Assert.True(errors.TryGetProperty("project", out _));
        errors = await RefusedAsync(new { project = "p", name = "n", cron = "", notebook = "missing.ipynb", time_zone = "Europe/Oslo" });
        Assert.Contains("five fields", errors.GetProperty("cron")[0].GetString());
        Assert.Contains("missing.ipynb", errors.GetProperty("notebook")[0].GetString());
        Assert.False(errors.TryGetProperty("time_zone", out _));
        // A time zone that names a file outside the zone database is not read as one.
        errors = await RefusedAsync(new { project = "p", name = "n", cron = "0 3 * * *", notebook = "nb.ipynb", time_zone = "../../../../etc/passwd" });
        Assert.Contains("not a time zone", errors.GetProperty("time_zone")[0].GetString());
        Assert.Equal(0, (await http.GetFromJsonAsync<JsonElement>("/api/v1/schedules")).GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/v1/schedules/p/n")).StatusCode);
    }

    /// <summary>
    /// The attack: a data scientist's schedule outlives the check made when it was created. Its project folder is turned into a
    /// link to a folder users may not use; the runs are launched with the data scientist's rights, so the next one is refused
    /// (and says why in the history). Launched with no actor, it would have passed as an admin's.
    /// </summary>
    [Fact]
    public async Task Runs_launch_with_their_owners_rights_so_a_project_folder_turned_into_a_link_elsewhere_is_refused()
    {
        using var opened = new TempDir();
        using var app = Portal($"security:\n  host_paths: [{opened.Path}]\n");
        var dana = await app.CreateClientAsync("dana", Roles.DataScientist);
        var home = WriteNotebook(opened, "p", "x = 1");
        var forbidden = WriteNotebook(_files, "forbidden", "x = 1");
        (await dana.PostAsJsonAsync("/api/v1/projects", new { name = "p", home_dir = home })).EnsureSuccessStatusCode();
        (await dana.PostAsJsonAsync("/api/v1/schedules", new { project = "p", name = "s", cron = "* * * * *", notebook = "nb.ipynb" })).EnsureSuccessStatusCode();
        Directory.Move(home, home + "-moved");
        File.CreateSymbolicLink(home, forbidden);

        _clock.Advance(TimeSpan.FromSeconds(30));
        var detail = await WaitForHistoryAsync(dana, "s", 1);
        var fire = detail.GetProperty("schedule").GetProperty("history")[0];
        Assert.Equal("refused", fire.GetProperty("outcome").GetString());
        Assert.Contains("security.host_paths", fire.GetProperty("message").GetString());
        Assert.Empty(_fake.Started);
        Assert.Equal("dana", detail.GetProperty("schedule").GetProperty("owner").GetString());
    }

    public void Dispose()
    {
        _files.Dispose();
        _dir.Dispose();
    }
}
