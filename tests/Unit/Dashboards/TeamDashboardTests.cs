using System.Text.Json;
using Portal.Core.Configuration;
using Portal.Core.Dashboards;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Persistence;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Dashboards;

/// <summary>Dashboard numbers against a real SQLite store seeded with trainings, versions and router records whose answers are known.</summary>
public abstract class TeamDashboardTests(bool postgres) : IAsyncLifetime
{
    private static readonly DateTime Day1 = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Now = Day1.AddDays(2).AddHours(15);
    private TestDatabase _db = default!;
    private TeamDashboardService _dashboards = default!;

    private sealed class FixedClock(DateTime now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(now);
    }

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(postgres);
        _dashboards = new TeamDashboardService(new EfDashboardStore(_db.Factory), PortalConfigLoader.Parse("", "defaults"), new FixedClock(Now));
        await using var db = _db.Factory.CreateDbContext();
        var (a, b) = (new Project { Name = "a", CreatedAt = Day1 }, new Project { Name = "b", CreatedAt = Day1 });
        var clf = new Model { Name = "clf", CreatedAt = Day1 };
        db.AddRange(a, b, clf);
        await db.SaveChangesAsync();

        var n = 0;
        Training T(Project p, DateTime created, TaskState state, double? waitSeconds, double? runSeconds) => new()
        {
            Name = $"t{++n}", ProjectId = p.Id, Notebook = "nb.ipynb", CreatedAt = created, ResourceProfile = "nha-train",
            Task = new TaskInfo
            {
                State = state,
                StartTime = waitSeconds is { } w ? created.AddSeconds(w) : null,
                UpdateTime = waitSeconds is { } w2 && runSeconds is { } r ? created.AddSeconds(w2 + r) : created,
            },
        };
        db.AddRange(
            T(a, Day1.AddHours(10), TaskState.Finished, 10, 60),
            T(a, Day1.AddHours(11), TaskState.Failed, 30, 10),
            T(b, Day1.AddHours(12), TaskState.Finished, 5, 180),
            T(b, Day1.AddDays(2).AddHours(9), TaskState.Failed, 20, 1),
            T(b, Day1.AddDays(2).AddHours(10), TaskState.Failed, 2, 1),
            T(a, Day1.AddDays(2).AddHours(11), TaskState.Cancelled, null, null),
            T(a, Day1.AddDays(2).AddHours(12), TaskState.Waiting, null, null),
            T(a, Day1.AddDays(-30), TaskState.Finished, 1, 1));

        ModelVersion V(string name, int day, string details, params string[] promotions) => new()
        {
            Name = name, ModelId = clf.Id, CreatedAt = Day1.AddDays(day), TrainingName = $"a/t{day}",
            Details = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(details)!,
            Promotions = [.. promotions.Select(e => new Promotion(e, "", "lead", Day1))],
        };
        db.AddRange(V("1", 0, """{"accuracy": 0.8, "loss": 0.5}"""), V("2", 1, """{"accuracy": 0.9, "loss": 0.4}""", "test"),
            V("3", 2, """{"accuracy": 0.85, "loss": 0.3, "note": "text"}""", "test", "prod"));
        await db.SaveChangesAsync();

        var version = db.ModelVersions.Single(v => v.Name == "3");
        var api = new Deployment { Name = "api", ProjectId = a.Id, ModelVersionId = version.Id, ModelVersionName = "clf/3", Notebook = "predict.py", Replicas = 2, ResourceProfile = "nha-depl", Environment = "prod", CreatedAt = Day1 };
        db.Add(api);
        await db.SaveChangesAsync();
        for (var i = 1; i <= 10; i++)
            db.Add(new PredictionRecord { DeploymentId = api.Id, RequestId = $"r{i}", Path = "api/model/invoke", At = Day1.AddHours(i), LatencyMs = i, Status = i switch { 3 => 500, 7 => 400, _ => 200 } });
        // IDE sessions (nha-ide reserves 0.5 cpu and 512 MB): one running for 2 h now, one that ran an hour on day 1,
        // one that began before the window and ran 3 h into it, one that ended before the window.
        IdeSession S(string name, TaskState state, DateTime started, DateTime? ended) => new()
        {
            Name = name, User = "dana", Image = "portal/notebook-base:latest", ResourceProfile = "nha-ide", CreatedAt = started,
            Task = new TaskInfo { State = state, StartTime = started, UpdateTime = ended ?? started },
        };
        db.AddRange(S("lab", TaskState.Running, Now.AddHours(-2), null), S("day1", TaskState.Cancelled, Day1.AddHours(9), Day1.AddHours(10)),
            S("overnight", TaskState.Cancelled, Day1.AddHours(-5), Day1.AddHours(3)), S("before", TaskState.Cancelled, Day1.AddHours(-9), Day1.AddHours(-8)));
        db.Add(new PredictionRecord { DeploymentId = api.Id, RequestId = "old", Path = "api/model/invoke", At = Day1.AddDays(-1), LatencyMs = 999, Status = 500 });
        await db.SaveChangesAsync();
    }

    public Task DisposeAsync()
    {
        _db.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Training_counts_rates_and_percentiles_match_the_seeded_runs()
    {
        var board = await _dashboards.GetAsync(Day1, Day1.AddDays(3), null, CancellationToken.None);

        Assert.Equal(7, board.Trainings);
        Assert.Equal(2 / 6.0, board.SuccessRate!.Value, 6);
        Assert.Equal([new TrainingDay(new DateOnly(2026, 3, 1), 0, 0, 2, 1, 0), new TrainingDay(new DateOnly(2026, 3, 2), 0, 0, 0, 0, 0), new TrainingDay(new DateOnly(2026, 3, 3), 1, 0, 0, 2, 1)],
            board.TrainingsPerDay);
        Assert.Equal(new Percentiles(2, 60, 180, 180), board.Duration);
        Assert.Equal(new Percentiles(5, 10, 30, 30), board.QueueWait);
        Assert.Equal([new FailingProject("b", 2, 3), new FailingProject("a", 1, 3)], board.TopFailing);
    }

    [Fact]
    public async Task Deployment_traffic_and_resource_use_come_from_router_records_and_profiles()
    {
        var board = await _dashboards.GetAsync(Day1, Day1.AddDays(3), null, CancellationToken.None);

        var api = Assert.Single(board.Deployments);
        Assert.Equal((10, 2, 0.2, 5.0, 10.0), (api.Requests, api.Errors, api.ErrorRate, api.P50Ms!.Value, api.P99Ms!.Value));
        Assert.Equal(10 / (3 * 24 * 60.0), api.PerMinute, 9);

        // nha-train requests 1 cpu and 1024 MB; run hours are start to last update of every started training.
        var train = board.Resources.Single(r => r.Profile == "nha-train");
        var hours = (60 + 10 + 180 + 1 + 1) / 3600.0;
        Assert.Equal((7, 0), (train.Trainings, train.DeploymentReplicas));
        Assert.Equal(hours, train.RunHours, 9);
        Assert.Equal(hours, train.CpuCoreHours, 9);
        Assert.Equal(hours, train.MemoryGbHours, 9);
        Assert.Equal(2, board.Resources.Single(r => r.Profile == "nha-depl").DeploymentReplicas);

        // Only the hours inside the window count: 2 (running) + 1 + 3 (the part after Day1).
        var ide = board.Resources.Single(r => r.Profile == "nha-ide");
        Assert.Equal((3, 6.0, 3.0, 3.0, 0), (ide.IdeSessions, ide.IdeHours, ide.CpuCoreHours, ide.MemoryGbHours, ide.Trainings));
        var beforeNow = await _dashboards.GetAsync(Day1, Now.AddHours(-1), null, CancellationToken.None);
        Assert.Equal(1 + 3 + 1, beforeNow.Resources.Single(r => r.Profile == "nha-ide").IdeHours, 9);
    }

    [Fact]
    public async Task A_project_filter_and_the_default_window_narrow_what_is_counted()
    {
        var onlyB = await _dashboards.GetAsync(Day1, Day1.AddDays(3), "b", CancellationToken.None);
        Assert.Equal(3, onlyB.Trainings);
        Assert.Empty(onlyB.Deployments);
        Assert.DoesNotContain(onlyB.Resources, r => r.IdeSessions > 0);
        Assert.Equal([new FailingProject("b", 2, 3)], onlyB.TopFailing);

        var recent = await _dashboards.GetAsync(null, null, null, CancellationToken.None);
        Assert.Equal(Now, recent.To);
        Assert.Equal(Now.Date.AddDays(-29), recent.From);
        Assert.Equal(30, recent.TrainingsPerDay.Count);
        Assert.Equal(7, recent.Trainings);

        var backwards = await Assert.ThrowsAsync<ValidationFailedException>(() => _dashboards.GetAsync(Day1, Day1.AddDays(-1), null, CancellationToken.None));
        Assert.Contains("before its end", backwards.Errors["from"][0]);
        var tooLong = await Assert.ThrowsAsync<ValidationFailedException>(() => _dashboards.GetAsync(Day1.AddDays(-400), Day1, null, CancellationToken.None));
        Assert.Contains("366 days", tooLong.Errors["from"][0]);
    }

    [Fact]
    public async Task A_metric_across_versions_marks_the_best_higher_or_lower_as_the_name_says()
    {
        var accuracy = await _dashboards.MetricAsync("clf", null, null, CancellationToken.None);
        Assert.Equal(("accuracy", true, "2"), (accuracy.Metric, accuracy.HigherIsBetter, accuracy.Best));
        Assert.Equal(["accuracy", "loss"], accuracy.Metrics);
        Assert.Equal([0.8, 0.9, 0.85], accuracy.Points.Select(p => p.Value));
        Assert.Equal(["dev", "test", "prod"], accuracy.Points[2].Environments);

        var loss = await _dashboards.MetricAsync("clf", "loss", null, CancellationToken.None);
        Assert.Equal((false, "3"), (loss.HigherIsBetter, loss.Best));
        Assert.Equal("1", (await _dashboards.MetricAsync("clf", "loss", true, CancellationToken.None)).Best);

        var unknown = await Assert.ThrowsAsync<ValidationFailedException>(() => _dashboards.MetricAsync("clf", "f1", null, CancellationToken.None));
        Assert.Contains("its versions report accuracy, loss", unknown.Errors["metric"][0]);
        await Assert.ThrowsAsync<NotFoundException>(() => _dashboards.MetricAsync("nope", null, null, CancellationToken.None));
    }
}

/// <summary>The suite against the embedded SQLite file.</summary>
public sealed class SqliteTeamDashboardTests() : TeamDashboardTests(postgres: false);

/// <summary>The suite against a real PostgreSQL database.</summary>
public sealed class PostgresTeamDashboardTests() : TeamDashboardTests(postgres: true);
