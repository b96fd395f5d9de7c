// Lineage benchmark (not a test): seeds a real SQLite store with a lineage of --nodes things (default 10,000:
// datasets, builds, trainings, versions with pretrained chains, deployments; one dataset read by every training),
// then times neighbourhood queries from several kinds of start. Prints p50/p95 and the size of each answer.
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Configuration;
using Portal.Core.Entities;
using Portal.Core.Lineage;
using Portal.Core.Persistence;

var total = args.SkipWhile(a => a != "--nodes").Skip(1).Select(int.Parse).FirstOrDefault(10_000);
var runs = args.SkipWhile(a => a != "--runs").Skip(1).Select(int.Parse).FirstOrDefault(50);
var dir = Directory.CreateTempSubdirectory("portal-lineage-bench-").FullName;
var store = MetadataStore.Sqlite(Path.Combine(dir, "portal.db"));
await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).MigrateAsync(store, CancellationToken.None);
var connection = store.ConnectionString;
var options = new DbContextOptionsBuilder<PortalDbContext>().UseSqlite(connection).Options;

var seed = Stopwatch.StartNew();
var (datasetCount, buildCount) = (total / 50, total / 50);
var trainingCount = (total - datasetCount - buildCount) * 4 / 10;
var deploymentCount = (total - datasetCount - buildCount) * 2 / 10;
var random = new Random(7);
var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
await using (var db = new PortalDbContext(options))
{
    var projects = Enumerable.Range(1, 10).Select(i => new Project { Name = $"p{i}", CreatedAt = t0 }).ToList();
    var models = Enumerable.Range(1, 10).Select(i => new Model { Name = $"m{i}", CreatedAt = t0 }).ToList();
    db.AddRange(projects); db.AddRange(models);
    await db.SaveChangesAsync();
    var datasets = Enumerable.Range(1, datasetCount).Select(i => new Dataset { Name = $"d{i}", ModelId = models[i % 10].Id, CreatedAt = t0.AddHours(i), UpdatedAt = t0 }).ToList();
    var builds = Enumerable.Range(1, buildCount).Select(i => new BuildVersion { Tag = $"b{i}", ProjectId = projects[i % 10].Id, BuiltAt = t0.AddHours(i) }).ToList();
    db.AddRange(datasets); db.AddRange(builds);
    await db.SaveChangesAsync();
    var hub = datasets[0];
    var trainings = Enumerable.Range(1, trainingCount).Select(i =>
    {
        var other = datasets[random.Next(datasets.Count)];
        return new Training
        {
            Name = $"t{i}", ProjectId = projects[i % 10].Id, BuildVersionId = builds[random.Next(builds.Count)].Id, Notebook = "nb.ipynb", CreatedAt = t0.AddMinutes(i),
            Datasets = [new DatasetRef("m2", hub.Name, hub.Id), new DatasetRef("m", other.Name, other.Id)],
            Task = new TaskInfo { State = i % 7 == 0 ? TaskState.Failed : TaskState.Finished },
        };
    }).ToList();
    db.AddRange(trainings);
    await db.SaveChangesAsync();
    var versions = new List<ModelVersion>();
    foreach (var (t, i) in trainings.Select((t, i) => (t, i)))
    {
        var v = new ModelVersion
        {
            Name = $"v{i + 1}", ModelId = models[i % 10].Id, TrainingId = t.Id, DatasetId = t.Datasets[1].Id, BuildVersionId = t.BuildVersionId, CreatedAt = t.CreatedAt,
            // Every fifth version continues an earlier one: pretrained chains.
            Pretrained = i % 5 == 0 && versions.Count > 0 ? versions[random.Next(versions.Count)] : null,
        };
        versions.Add(v);
    }
    db.AddRange(versions);
    await db.SaveChangesAsync();
    db.AddRange(Enumerable.Range(1, deploymentCount).Select(i => new Deployment
    {
        Name = $"dep{i}", ProjectId = projects[i % 10].Id, ModelVersionId = versions[random.Next(versions.Count)].Id, Notebook = "predict.py",
        Environment = "dev", CreatedAt = t0.AddMinutes(i),
    }));
    await db.SaveChangesAsync();
    Console.WriteLine($"seeded {datasetCount} datasets, {buildCount} builds, {trainingCount} trainings, {trainingCount} versions, {deploymentCount} deployments " +
                      $"({datasetCount + buildCount + 2 * trainingCount + deploymentCount} nodes) in {seed.Elapsed.TotalSeconds:F1} s; dataset d1 is read by every training");
}

var factory = new Factory(options);
var lineage = new LineageService(new EfLineageStore(factory), new PortalConfig { Environments = ["dev", "test", "prod"] });
var cases = new (string Label, LineageQuery Query)[]
{
    ("deployment, depth 2", new("deployment", $"dep{deploymentCount / 2}", 2)),
    ("deployment, depth 4", new("deployment", $"dep{deploymentCount / 3}", 4)),
    ("training, depth 2", new("training", $"p{trainingCount / 2 % 10 + 1}/t{trainingCount / 2}", 2)),
    ("hub dataset, depth 1", new("dataset", "m2/d1", 1)),
    ("hub dataset, depth 2", new("dataset", "m2/d1", 2)),
    ("build, depth 3, limit 100", new("build", "p2/b1", 3, 100)),
};
Console.WriteLine($"{"start",-28} {"nodes",6} {"edges",6} {"hidden",7} {"p50 ms",8} {"p95 ms",8}");
foreach (var (label, query) in cases)
{
    LineageGraph? graph = null;
    var times = new List<double>();
    for (var i = 0; i < runs + 3; i++)
    {
        var sw = Stopwatch.StartNew();
        graph = await lineage.GetAsync(query, CancellationToken.None);
        if (i >= 3) times.Add(sw.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    Console.WriteLine($"{label,-28} {graph!.Nodes.Count,6} {graph.Edges.Count,6} {graph.Hidden.Values.Sum(),7} {times[times.Count / 2],8:F1} {times[(int)(times.Count * 0.95)],8:F1}");
}
Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
Directory.Delete(dir, true);

sealed class Factory(DbContextOptions<PortalDbContext> options) : IDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext() => new(options);
}
