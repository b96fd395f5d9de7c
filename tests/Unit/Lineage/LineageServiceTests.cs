using Portal.Core.Configuration;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Lineage;
using Portal.Core.Persistence;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Lineage;

/// <summary>Lineage walks over a real SQLite store seeded with the shapes that matter: a hub dataset, a pretrained chain, filters.</summary>
public abstract class LineageServiceTests(bool postgres) : IAsyncLifetime
{
    private TestDatabase _db = default!;
    private LineageService _lineage = default!;
    private static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(postgres);
        _lineage = new LineageService(new EfLineageStore(_db.Factory), new PortalConfig { Environments = ["dev", "test", "prod"] });
        await using var db = _db.Factory.CreateDbContext();
        var (iris, other) = (new Project { Name = "iris", CreatedAt = T0 }, new Project { Name = "other", CreatedAt = T0 });
        var model = new Model { Name = "clf", CreatedAt = T0 };
        db.AddRange(iris, other, model);
        await db.SaveChangesAsync();
        var build = new BuildVersion { ProjectId = iris.Id, Tag = "latest", BuiltAt = T0 };
        var hub = new Dataset { Name = "hub", ModelId = model.Id, CreatedAt = T0, UpdatedAt = T0 };
        db.AddRange(build, hub);
        await db.SaveChangesAsync();
        // 30 trainings read the hub dataset; 10 of them belong to another project; each publishes a version.
        for (var i = 1; i <= 30; i++)
        {
            var t = new Training
            {
                Name = $"t{i}", ProjectId = i <= 20 ? iris.Id : other.Id, BuildVersionId = i <= 20 ? build.Id : null, Notebook = "nb.ipynb",
                Datasets = [new DatasetRef("clf", "hub", hub.Id)], CreatedAt = T0.AddDays(i), Task = new TaskInfo { State = TaskState.Finished },
            };
            db.Add(t);
            await db.SaveChangesAsync();
            db.Add(new ModelVersion { Name = $"{i}", ModelId = model.Id, TrainingId = t.Id, DatasetId = hub.Id, BuildVersionId = t.BuildVersionId, CreatedAt = T0.AddDays(i) });
        }
        await db.SaveChangesAsync();
        // A pretrained chain: version 1 → fine-tune training → version ft → deployed in prod.
        var v1 = db.ModelVersions.Single(v => v.Name == "1");
        var fineTune = new Training { Name = "fine-tune", ProjectId = iris.Id, Notebook = "nb.ipynb", PretrainedId = v1.Id, CreatedAt = T0.AddDays(40) };
        db.Add(fineTune);
        await db.SaveChangesAsync();
        var ft = new ModelVersion
        {
            Name = "ft", ModelId = model.Id, TrainingId = fineTune.Id, PretrainedId = v1.Id, CreatedAt = T0.AddDays(41),
            Promotions = [new Promotion("test", "ok", "alice", T0.AddDays(42)), new Promotion("prod", "ok", "lead", T0.AddDays(43))],
        };
        db.Add(ft);
        await db.SaveChangesAsync();
        db.Add(new Deployment { Name = "clf-api", ProjectId = iris.Id, ModelVersionId = ft.Id, BuildVersionId = build.Id, Environment = "prod", Notebook = "predict.py", CreatedAt = T0.AddDays(44) });
        await db.SaveChangesAsync();
    }

    public Task DisposeAsync()
    {
        _db.Dispose();
        return Task.CompletedTask;
    }

    private static LineageNode Node(LineageGraph g, string kind, string name) => g.Nodes.Single(n => n.Kind == kind && n.Name == name);

    [Fact]
    public async Task From_a_deployment_the_walk_reaches_back_through_the_pretrained_chain_to_the_data()
    {
        var g = await _lineage.GetAsync(new LineageQuery("deployment", "clf-api", Depth: 5), CancellationToken.None);

        var deployment = Node(g, "deployment", "clf-api");
        var ft = Node(g, "version", "clf/ft");
        var fineTune = Node(g, "training", "iris/fine-tune");
        var v1 = Node(g, "version", "clf/1");
        var t1 = Node(g, "training", "iris/t1");
        var hub = Node(g, "dataset", "clf/hub");
        Assert.Equal(deployment.Id, g.Root);
        Assert.Equal(["dev", "test", "prod"], ft.Environments);
        Assert.Equal(["dev"], v1.Environments);
        Assert.Equal(["prod"], deployment.Environments);
        Assert.Contains(new LineageEdge(ft.Id, deployment.Id, "deployed"), g.Edges);
        Assert.Contains(new LineageEdge(fineTune.Id, ft.Id, "produced"), g.Edges);
        Assert.Contains(new LineageEdge(v1.Id, fineTune.Id, "pretrained"), g.Edges);
        Assert.Contains(new LineageEdge(v1.Id, ft.Id, "pretrained"), g.Edges);
        Assert.Contains(new LineageEdge(t1.Id, v1.Id, "produced"), g.Edges);
        Assert.Contains(new LineageEdge(hub.Id, t1.Id, "trained-on"), g.Edges);
        Assert.Contains(g.Nodes, n => n.Kind == "build" && n.Name == "iris/latest");
        Assert.Equal("finished", t1.State);
    }

    [Fact]
    public async Task A_hub_shows_the_newest_neighbours_up_to_the_limit_and_counts_the_rest()
    {
        var g = await _lineage.GetAsync(new LineageQuery("dataset", "clf/hub", Depth: 1, Limit: 10), CancellationToken.None);

        var trainings = g.Nodes.Where(n => n.Kind == "training").Select(n => n.Name).ToList();
        var versions = g.Nodes.Where(n => n.Kind == "version").ToList();
        Assert.Equal(Enumerable.Range(21, 10).Reverse().Select(i => i <= 20 ? $"iris/t{i}" : $"other/t{i}"), trainings);
        Assert.Equal(10, versions.Count);
        Assert.Equal(20 + 20, g.Hidden[g.Root]);
        Assert.Equal(20, g.Unexplored.Count);
        Assert.All(g.Edges, e => Assert.Equal(g.Root, e.Source));
    }

    [Fact]
    public async Task Filters_keep_one_project_and_a_time_window_but_never_hide_the_start()
    {
        var byProject = await _lineage.GetAsync(new LineageQuery("dataset", "clf/hub", Depth: 1, Limit: 100, Filter: new LineageFilter(Project: "other")), CancellationToken.None);
        Assert.Equal(10, byProject.Nodes.Count(n => n.Kind == "training"));
        Assert.All(byProject.Nodes.Where(n => n.Kind is "training" or "version"), n => Assert.Equal("other", n.Project));

        var window = new LineageFilter(From: T0.AddDays(5), To: T0.AddDays(7));
        var byTime = await _lineage.GetAsync(new LineageQuery("dataset", "clf/hub", Depth: 1, Limit: 100, Filter: window), CancellationToken.None);
        Assert.Equal(["iris/t7", "iris/t6", "iris/t5"], byTime.Nodes.Where(n => n.Kind == "training").Select(n => n.Name));
        Assert.Contains(byTime.Nodes, n => n.Id == byTime.Root);
        Assert.False(byTime.Hidden.ContainsKey(byTime.Root));
    }

    [Fact]
    public async Task A_deep_walk_reaches_everything_connected_once_with_no_dangling_edges()
    {
        var g = await _lineage.GetAsync(new LineageQuery("build", "iris/latest", Depth: 6, Limit: LineageQuery.MaxLimit), CancellationToken.None);
        Assert.False(g.Truncated);
        Assert.Equal(g.Nodes.Count, g.Nodes.Select(n => n.Id).Distinct().Count());
        Assert.All(g.Edges, e => Assert.Contains(g.Nodes, n => n.Id == e.Source));
        Assert.Contains(g.Nodes, n => n.Name == "other/t30");
    }

    [Fact]
    public async Task Unknown_starts_and_bad_queries_are_refused_with_what_to_fix()
    {
        var missing = await Assert.ThrowsAsync<NotFoundException>(() => _lineage.GetAsync(new LineageQuery("version", "clf/404"), CancellationToken.None));
        Assert.Contains("clf/404", missing.Message);
        var bad = await Assert.ThrowsAsync<ValidationFailedException>(() => _lineage.GetAsync(new LineageQuery("model", "clf", Depth: 9, Limit: 0), CancellationToken.None));
        Assert.Contains("dataset, training, version, deployment, build", bad.Errors["kind"][0]);
        Assert.Contains("between 0 and 6", bad.Errors["depth"][0]);
        Assert.Contains("between 1 and 500", bad.Errors["limit"][0]);
        var backwards = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            _lineage.GetAsync(new LineageQuery("version", "clf/1", Filter: new LineageFilter(From: T0.AddDays(2), To: T0)), CancellationToken.None));
        Assert.Contains("after its end", backwards.Errors["from"][0]);
    }
}

/// <summary>The suite against the embedded SQLite file.</summary>
public sealed class SqliteLineageServiceTests() : LineageServiceTests(postgres: false);

/// <summary>The suite against a real PostgreSQL database.</summary>
public sealed class PostgresLineageServiceTests() : LineageServiceTests(postgres: true);
