// Store benchmark (not a test): the trainings store (the largest table) at --rows rows (default 100,000) on the embedded
// SQLite file and on PostgreSQL (--postgres CONNECTION_STRING, an empty database; benchmarks/store.sh starts one), in one
// run. Times a page of the list (newest first, and a search), a get by name, an insert, and a comparison of 50 runs with
// two curves of 100 steps each (the compare page's query); prints p50 and p99 of each.
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Entities;
using Portal.Core.Persistence;
using Portal.Core.Stores;

var rows = args.SkipWhile(a => a != "--rows").Skip(1).Select(int.Parse).FirstOrDefault(100_000);
var runs = args.SkipWhile(a => a != "--runs").Skip(1).Select(int.Parse).FirstOrDefault(300);
var postgres = args.SkipWhile(a => a != "--postgres").Skip(1).FirstOrDefault();
var dir = Directory.CreateTempSubdirectory("portal-store-bench-").FullName;

var stores = new List<(string Name, MetadataStore Store)> { ("SQLite", MetadataStore.Sqlite(Path.Combine(dir, "portal.db"))) };
if (postgres is not null) stores.Add(("PostgreSQL", MetadataStore.Postgres(postgres)));
else Console.WriteLine("no --postgres given: SQLite only (benchmarks/store.sh starts a PostgreSQL cluster and passes it)");

var results = new List<(string Store, string Operation, double P50, double P99)>();
foreach (var (name, store) in stores)
{
    await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).MigrateAsync(store, CancellationToken.None);
    var factory = new Factory((DbContextOptions<PortalDbContext>)store.Use(new DbContextOptionsBuilder<PortalDbContext>()).Options);
    var seeded = Stopwatch.StartNew();
    var projects = await SeedAsync(factory, rows);
    Console.WriteLine($"{name}: seeded {rows:N0} trainings in {projects.Count} projects in {seeded.Elapsed.TotalSeconds:F1} s");
    var trainings = new EfTrainingStore(factory);
    var curved = await SeedCurvesAsync(factory, Math.Min(rows, 500));
    var comparison = new Portal.Core.Trainings.TrainingComparison(trainings, new EfMetricStore(factory), new EfModelVersionStore(factory));
    var random = new Random(3);
    var inserted = 0;
    var operations = new (string Label, Func<Task> Run)[]
    {
        ("list: newest 50 of a project", () => trainings.ListAsync(projects[random.Next(projects.Count)].Name, null,
            new PageRequest(Take: 50, SortBy: "created_at", Descending: true), CancellationToken.None)),
        ("list: search, 50 of all", () => trainings.ListAsync(null, null, new PageRequest(Take: 50, Search: $"run-{random.Next(rows / 10)}"), CancellationToken.None)),
        ("get by project and name", () => trainings.FindAsync(projects[random.Next(projects.Count)].Name, $"run-{random.Next(rows)}", CancellationToken.None)),
        ("compare 50 runs with curves", () => comparison.CompareAsync(
            [.. Enumerable.Range(0, 50).Select(_ => random.Next(curved)).Distinct().Select(i => $"{projects[i % projects.Count].Name}/run-{i}")],
            CancellationToken.None)),
        ("insert", () => trainings.AddAsync(NewTraining(projects[random.Next(projects.Count)].Id, $"new-{inserted++}", DateTime.UtcNow), CancellationToken.None)),
    };
    foreach (var (label, run) in operations)
    {
        for (var i = 0; i < 20; i++) await run();
        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            await run();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        results.Add((name, label, times[runs / 2], times[Math.Min(runs - 1, (int)Math.Ceiling(runs * 0.99) - 1)]));
    }
}

Console.WriteLine();
Console.WriteLine($"trainings store at {rows:N0} rows, {runs} runs each (ms)");
Console.WriteLine($"{"operation",-30} {string.Join(" ", stores.Select(s => $"{s.Name + " p50",16} {s.Name + " p99",16}"))}");
foreach (var operation in results.Select(r => r.Operation).Distinct())
    Console.WriteLine($"{operation,-30} {string.Join(" ", stores.Select(s => results.Single(r => r.Store == s.Name && r.Operation == operation)).Select(r => $"{r.P50,16:F2} {r.P99,16:F2}"))}");
Directory.Delete(dir, recursive: true);

static Training NewTraining(long projectId, string name, DateTime at) => new()
{
    Name = name, ProjectId = projectId, Notebook = "train.ipynb", CreatedAt = at,
    Parameters = new() { ["n_estimators"] = System.Text.Json.JsonSerializer.SerializeToElement(50) },
    Task = new TaskInfo { State = TaskState.Finished, Progress = 1, StartTime = at, UpdateTime = at },
};

static async Task<List<Project>> SeedAsync(Factory factory, int rows)
{
    var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    List<Project> projects;
    await using (var db = factory.CreateDbContext())
    {
        projects = Enumerable.Range(1, 20).Select(i => new Project { Name = $"project-{i}", CreatedAt = t0, UpdatedAt = t0 }).ToList();
        db.AddRange(projects);
        await db.SaveChangesAsync();
    }
    for (var start = 0; start < rows; start += 5_000)
    {
        await using var db = factory.CreateDbContext();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        db.AddRange(Enumerable.Range(start, Math.Min(5_000, rows - start)).Select(i => NewTraining(projects[i % projects.Count].Id, $"run-{i}", t0.AddSeconds(i))));
        await db.SaveChangesAsync();
    }
    return projects;
}

// Two metrics over 100 steps for each of the first trainings.
static async Task<int> SeedCurvesAsync(Factory factory, int trainings)
{
    await using var db = factory.CreateDbContext();
    db.ChangeTracker.AutoDetectChangesEnabled = false;
    var ids = await db.Trainings.OrderBy(t => t.Id).Take(trainings).Select(t => t.Id).ToListAsync();
    var at = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    db.AddRange(ids.SelectMany(id => Enumerable.Range(0, 100).SelectMany(s => new[]
    {
        new MetricStep { TrainingId = id, Name = "loss", Step = s, Value = 1.0 / (s + 1), At = at },
        new MetricStep { TrainingId = id, Name = "accuracy", Step = s, Value = s / 100.0, At = at },
    })));
    await db.SaveChangesAsync();
    return ids.Count;
}

internal sealed class Factory(DbContextOptions<PortalDbContext> options) : IDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext() => new(options);
}
