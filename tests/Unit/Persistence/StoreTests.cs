using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Persistence;
using Portal.Core.Stores;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Persistence;

/// <summary>The EF stores against a real database with the real migrations: a SQLite file, and PostgreSQL (the subclasses below).</summary>
public abstract class StoreTests(bool postgres) : IAsyncLifetime
{
    private TestDatabase _db = default!;
    private EfProjectStore _projects = default!;
    private EfModelStore _models = default!;
    private EfDatasetStore _datasets = default!;
    private static readonly DateTime T0 = new(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(postgres);
        _projects = new EfProjectStore(_db.Factory);
        _models = new EfModelStore(_db.Factory);
        _datasets = new EfDatasetStore(_db.Factory);
    }

    public Task DisposeAsync()
    {
        _db.Dispose();
        return Task.CompletedTask;
    }

    private Task<Model> AddModelAsync(string name) => _models.AddAsync(new Model
    {
        Name = name,
        DataFiles = [new FileSpec { Name = "train.csv", Required = true, MaxMb = 5 }],
        CreatedAt = T0,
        UpdatedAt = T0,
    }, CancellationToken.None);

    [Fact]
    public async Task A_project_keeps_its_models_and_json_columns_round_trip()
    {
        var iris = await AddModelAsync("iris");
        await _projects.AddAsync(new Project { Name = "p1", Desc = "first", CreatedAt = T0, UpdatedAt = T0 }, [iris.Id], CancellationToken.None);

        var p = await _projects.FindAsync("p1", CancellationToken.None);
        Assert.Equal("iris", Assert.Single(p!.Models).Name);
        Assert.Equal(DateTimeKind.Utc, p.CreatedAt.Kind);
        Assert.Equal(T0, p.CreatedAt);
        var model = await _models.FindAsync("iris", CancellationToken.None);
        Assert.Equal(new FileSpec { Name = "train.csv", Required = true, MaxMb = 5 }, Assert.Single(model!.DataFiles));
    }

    [Fact]
    public async Task Trainings_found_by_many_names_match_each_project_and_name_pair_never_a_cross_or_a_pattern()
    {
        // One read narrows by the project names and the training names; asking for a/t2 and b/t1 must not yield a/t1 or
        // b/t2 (someone comparing would see runs they did not name), and a LIKE wildcard is only a name.
        await using (var db = await _db.Factory.CreateDbContextAsync())
        {
            var (a, b) = (new Project { Name = "a", CreatedAt = T0, UpdatedAt = T0 }, new Project { Name = "b", CreatedAt = T0, UpdatedAt = T0 });
            db.AddRange(
                new Training { Name = "t1", Project = a, Notebook = "nb.ipynb", CreatedAt = T0, Task = new TaskInfo { State = TaskState.Finished } },
                new Training { Name = "t2", Project = b, Notebook = "nb.ipynb", CreatedAt = T0, Task = new TaskInfo { State = TaskState.Finished } });
            await db.SaveChangesAsync();
        }
        var store = new EfTrainingStore(_db.Factory);

        Assert.Empty(await store.FindManyAsync([("a", "t2"), ("b", "t1"), ("a", "%"), ("%", "t_")], CancellationToken.None));
        var found = await store.FindManyAsync([("a", "t1"), ("b", "t2"), ("b", "t1")], CancellationToken.None);
        Assert.Equal(["a/t1", "b/t2"], found.Select(t => $"{t.Project!.Name}/{t.Name}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Renaming_a_model_keeps_the_projects_pointing_at_it()
    {
        var iris = await AddModelAsync("iris");
        await _projects.AddAsync(new Project { Name = "p1", CreatedAt = T0, UpdatedAt = T0 }, [iris.Id], CancellationToken.None);
        iris.Name = "iris-v2";
        await _models.UpdateAsync(iris, CancellationToken.None);
        Assert.Equal("iris-v2", Assert.Single((await _projects.FindAsync("p1", CancellationToken.None))!.Models).Name);
    }

    [Fact]
    public async Task Updating_a_project_replaces_its_model_list()
    {
        var a = await AddModelAsync("a");
        var b = await AddModelAsync("b");
        var p = await _projects.AddAsync(new Project { Name = "p1", CreatedAt = T0, UpdatedAt = T0 }, [a.Id], CancellationToken.None);
        await _projects.UpdateAsync(p, [b.Id], CancellationToken.None);
        Assert.Equal("b", Assert.Single((await _projects.FindAsync("p1", CancellationToken.None))!.Models).Name);
    }

    [Fact]
    public async Task Deleting_a_model_removes_its_datasets_and_versions_but_versions_of_other_models_keep_snapshots()
    {
        var iris = await AddModelAsync("iris");
        var other = await AddModelAsync("other");
        var ds = await _datasets.AddAsync(new Dataset { Name = "ds1", ModelId = iris.Id, CreatedAt = T0, UpdatedAt = T0 }, NoFiles, CancellationToken.None);
        await using (var db = await _db.Factory.CreateDbContextAsync())
        {
            var project = new Project { Name = "p", CreatedAt = T0, UpdatedAt = T0 };
            var training = new Training { Name = "t1", Project = project, Notebook = "train.ipynb", CreatedAt = T0, Task = new TaskInfo { State = TaskState.Finished, Progress = 1 } };
            db.AddRange(
                new ModelVersion { Name = "v1", ModelId = iris.Id, DatasetId = ds.Id, DatasetName = "ds1", CreatedAt = T0 },
                new ModelVersion { Name = "v1", ModelId = other.Id, DatasetId = ds.Id, DatasetName = "ds1", Training = training, TrainingName = "t1", CreatedAt = T0 });
            await db.SaveChangesAsync();
        }

        var usage = await _models.GetUsageAsync(iris.Id, CancellationToken.None);
        Assert.Single(usage.DatasetIds);
        Assert.Single(usage.VersionIds);
        await _models.DeleteAsync(iris.Id, CancellationToken.None);

        await using (var db = await _db.Factory.CreateDbContextAsync())
        {
            Assert.False(await db.Datasets.AnyAsync());
            var survivor = await db.ModelVersions.SingleAsync();
            Assert.Equal(other.Id, survivor.ModelId);
            Assert.Null(survivor.DatasetId);
            Assert.Equal("ds1", survivor.DatasetName);

            // Deleting the training's project removes the training; the version keeps its training's name.
            await db.Projects.Where(p => p.Name == "p").ExecuteDeleteAsync();
            survivor = await db.ModelVersions.AsNoTracking().SingleAsync();
            Assert.Null(survivor.TrainingId);
            Assert.Equal("t1", survivor.TrainingName);
        }
    }

    [Fact]
    public async Task A_model_version_in_use_by_a_deployment_cannot_be_removed_by_the_database()
    {
        var iris = await AddModelAsync("iris");
        await using var db = await _db.Factory.CreateDbContextAsync();
        var version = new ModelVersion { Name = "v1", ModelId = iris.Id, CreatedAt = T0 };
        db.Add(new Deployment { Name = "d1", Project = new Project { Name = "p", CreatedAt = T0, UpdatedAt = T0 }, ModelVersion = version, CreatedAt = T0 });
        await db.SaveChangesAsync();
        Assert.Equal(["d1"], (await _models.GetUsageAsync(iris.Id, CancellationToken.None)).Deployments);
        await Assert.ThrowsAnyAsync<Exception>(() => db.ModelVersions.ExecuteDeleteAsync());
    }

    [Fact]
    public async Task A_duplicate_name_is_a_conflict_not_a_crash()
    {
        await AddModelAsync("iris");
        var e = await Assert.ThrowsAsync<ConflictException>(() => AddModelAsync("iris"));
        Assert.Equal("A model named 'iris' already exists.", e.Message);
    }

    [Fact]
    public async Task Lists_page_search_and_sort()
    {
        for (var i = 0; i < 30; i++)
            await _projects.AddAsync(new Project { Name = $"proj-{i:00}", Desc = i % 3 == 0 ? "fraud 100% detector" : "churn", CreatedAt = T0.AddMinutes(i), UpdatedAt = T0.AddMinutes(i) }, [], CancellationToken.None);

        var page = await _projects.ListAsync(new PageRequest(Skip: 10, Take: 5), CancellationToken.None);
        Assert.Equal(30, page.Total);
        Assert.Equal(["proj-10", "proj-11", "proj-12", "proj-13", "proj-14"], page.Items.Select(p => p.Name));

        var search = await _projects.ListAsync(new PageRequest(Search: "FRAUD", Take: 100), CancellationToken.None);
        Assert.Equal(10, search.Total);

        // '%' typed by a user is matched literally, not as a wildcard.
        Assert.Equal(10, (await _projects.ListAsync(new PageRequest(Search: "100%", Take: 100), CancellationToken.None)).Total);
        Assert.Equal(0, (await _projects.ListAsync(new PageRequest(Search: "1%0", Take: 100), CancellationToken.None)).Total);

        var newest = await _projects.ListAsync(new PageRequest(Take: 1, SortBy: "updated_at", Descending: true), CancellationToken.None);
        Assert.Equal("proj-29", Assert.Single(newest.Items).Name);

        var clamped = await _projects.ListAsync(new PageRequest(Skip: -5, Take: 100000), CancellationToken.None);
        Assert.Equal((0, PageRequest.MaxTake), (clamped.Skip, clamped.Take));
    }

    [Fact]
    public async Task The_audit_log_is_append_only_in_the_database_itself()
    {
        await using var db = await _db.Factory.CreateDbContextAsync();
        db.AuditEvents.Add(new AuditEvent { At = T0, Actor = "ada", Action = "create model", Target = "iris", Outcome = AuditOutcome.Succeeded });
        await db.SaveChangesAsync();
        var changed = await Assert.ThrowsAnyAsync<Exception>(() => db.AuditEvents.ExecuteUpdateAsync(u => u.SetProperty(e => e.Actor, "mallory")));
        Assert.Contains("append-only", changed.Message + changed.InnerException?.Message);
        var removed = await Assert.ThrowsAnyAsync<Exception>(() => db.AuditEvents.ExecuteDeleteAsync());
        Assert.Contains("append-only", removed.Message + removed.InnerException?.Message);
        Assert.Equal("ada", (await db.AuditEvents.AsNoTracking().SingleAsync()).Actor);
    }

    /// <summary>
    /// Two writers with connection pools of their own, as two portal processes have, race to create the same names and
    /// many others: each name exists once, the losers get a conflict, and no write is lost.
    /// </summary>
    [Fact]
    public async Task Concurrent_writers_create_each_name_once_and_lose_nothing()
    {
        var other = new EfModelStore(_db.SecondWriter());
        var writers = new[] { _models, other };
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 80).Select(async i =>
        {
            var name = i % 2 == 0 ? $"shared-{i % 8}" : $"own-{i}";
            try
            {
                await writers[i % 2].AddAsync(new Model { Name = name, CreatedAt = T0, UpdatedAt = T0 }, CancellationToken.None);
                return "created";
            }
            catch (ConflictException) { return "conflict"; }
        }));
        var all = await _models.ListAsync(new PageRequest(Take: 500), CancellationToken.None);
        Assert.Equal(4 + 40, all.Total);
        Assert.Equal(44, outcomes.Count(o => o == "created"));
        Assert.Equal(36, outcomes.Count(o => o == "conflict"));
    }

    private static readonly Func<long, CancellationToken, Task> NoFiles = (_, _) => Task.CompletedTask;

    [Fact]
    public async Task A_dataset_whose_files_could_not_be_placed_is_not_recorded_and_its_name_stays_free()
    {
        var iris = await AddModelAsync("iris");
        long? placedFor = null;
        await Assert.ThrowsAsync<IOException>(() => _datasets.AddAsync(
            new Dataset { Name = "half", ModelId = iris.Id, Stored = true, CreatedAt = T0, UpdatedAt = T0 },
            (id, _) => { placedFor = id; throw new IOException("No space left on device"); }, CancellationToken.None));
        Assert.NotNull(placedFor);
        Assert.Null(await _datasets.FindAsync("iris", "half", CancellationToken.None));
        Assert.DoesNotContain(placedFor!.Value, await _datasets.IdsAsync(CancellationToken.None));
        var again = await _datasets.AddAsync(new Dataset { Name = "half", ModelId = iris.Id, CreatedAt = T0, UpdatedAt = T0 }, NoFiles, CancellationToken.None);
        Assert.Contains(again.Id, await _datasets.IdsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Dataset_details_and_files_round_trip()
    {
        var iris = await AddModelAsync("iris");
        var details = new Dictionary<string, JsonElement> { ["rows"] = JsonDocument.Parse("150").RootElement, ["source"] = JsonDocument.Parse("\"uci\"").RootElement };
        await _datasets.AddAsync(new Dataset
        {
            Name = "ds1", ModelId = iris.Id, Stored = true, Details = details,
            Files = [new StoredFile { Name = "train.csv", Size = 10, Sha256 = "ab" }],
            CreatedAt = T0, UpdatedAt = T0,
        }, NoFiles, CancellationToken.None);
        var ds = await _datasets.FindAsync("iris", "ds1", CancellationToken.None);
        Assert.Equal(150, ds!.Details["rows"].GetInt32());
        Assert.Equal("uci", ds.Details["source"].GetString());
        Assert.Equal(10, ds.TotalSize);
        Assert.Equal("iris", ds.Model!.Name);
        Assert.Null(await _datasets.FindAsync("other", "ds1", CancellationToken.None));
    }
}

/// <summary>The suite against the embedded SQLite file.</summary>
public sealed class SqliteStoreTests() : StoreTests(postgres: false);

/// <summary>The suite against a real PostgreSQL database.</summary>
public sealed class PostgresStoreTests() : StoreTests(postgres: true);
