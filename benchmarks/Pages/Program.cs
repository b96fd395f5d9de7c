using System.Diagnostics;
using System.Text.Json;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Entities;
using Portal.Core.Persistence;
using Portal.Core.Trainings;
using Portal.Tests.Unit.Components;
using Portal.Web.Features.Trainings;

// Page-render benchmark (not a test): the trainings list and the compare page (50 runs, 3 curves of 50 steps each),
// rendered server-side until their data shows in the page's HTML, at 100 trainings (the baseline) and at 10,000 (the
// goal: under 300 ms). Waiting reads the HTML the renderer makes (as a prerender would), not a parsed DOM: bUnit's
// DOM parsing of a page this size would be measured otherwise, and the portal never does it.
var runs = args.SkipWhile(a => a != "--runs").Skip(1).Select(int.Parse).FirstOrDefault(20);
Console.WriteLine($"Rendering each page {runs} times after 10 warm-ups; server time (component code and store reads), ms");
Console.WriteLine($"{"page",-44} {"trainings",10} {"p50",8} {"p99",8}");
foreach (var rows in new[] { 100, 10_000 })
{
    var bench = new PageBench();
    try
    {
    await bench.InitializeAsync();
    await bench.SeedAsync(rows);
    foreach (var (label, render) in bench.Pages())
    {
        for (var i = 0; i < 10; i++) render();
        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            render();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        Console.WriteLine($"{label,-44} {rows,10:N0} {times[runs / 2],8:F1} {times[Math.Min(runs - 1, (int)Math.Ceiling(runs * 0.99) - 1)],8:F1}");
    }
    }
    catch (Exception e)
    {
        Console.Error.WriteLine(e);
        throw;
    }
    finally { await bench.DisposeAsync(); }
}

/// <summary>The unit tests' page context over the real portal with the in-memory manager, seeded with many trainings.</summary>
internal sealed class PageBench : PortalPageContext
{
    private List<string> _compared = [];
    private int _rows;

    public async Task SeedAsync(int rows)
    {
        _rows = rows;
        await SeedIrisAsync();
        var factory = App.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        var project = await db.Projects.SingleAsync(p => p.Name == "iris");
        var start = DateTime.UtcNow.AddDays(-30);
        var trainings = Enumerable.Range(0, rows).Select(i => new Training
        {
            Name = $"run-{i}", ProjectId = project.Id, Notebook = "nb.ipynb", CreatedAt = start.AddMinutes(i),
            Parameters = new() { ["lr"] = JsonSerializer.SerializeToElement(0.01 * (i % 10 + 1)), ["depth"] = JsonSerializer.SerializeToElement(i % 7) },
            Metrics = new() { ["accuracy"] = 0.5 + i % 50 / 100.0, ["loss"] = 1.0 / (i % 20 + 1) },
            Task = new TaskInfo { State = TaskState.Finished, Progress = 1, UpdateTime = start.AddMinutes(i + 1) },
        }).ToList();
        db.Trainings.AddRange(trainings);
        await db.SaveChangesAsync();
        var curved = trainings.Take(50).ToList();
        db.MetricSteps.AddRange(curved.SelectMany(t => new[] { "accuracy", "loss", "lr" }.SelectMany(m => Enumerable.Range(0, 50).Select(step => new MetricStep
        {
            TrainingId = t.Id, Name = m, Step = step, Value = step / 50.0, At = start,
        }))));
        await db.SaveChangesAsync();
        _compared = [.. curved.Select(t => $"iris/{t.Name}")];
    }

    public IEnumerable<(string Label, Action Render)> Pages()
    {
        yield return ($"trainings list (first page of {Portal.Web.Components.Shared.GridPaging.PageSize}, newest)", () =>
        {
            var page = Render<TrainingsPage>();
            // The page's last row: the seeded training t1 is the newest, then run-{rows-1} down to this one.
            var last = $">run-{_rows - Portal.Web.Components.Shared.GridPaging.PageSize + 1}<";
            page.WaitForState(() => page.Markup.Contains(last, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            page.Dispose();
        });
        yield return ("compare page (50 runs, 3 curves × 50 steps)", () =>
        {
            Services.GetRequiredService<NavigationManager>().NavigateTo(TrainingLinks.Compare(_compared));
            var page = Render<TrainingComparePage>();
            page.WaitForState(() => page.Markup.Contains("id=\"compare-curves\"", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            page.Dispose();
        });
        // The compare page's reads alone, to tell store time from drawing time.
        yield return ("  of which the reads (TrainingComparison)", () =>
            Services.GetRequiredService<TrainingComparison>().CompareAsync(_compared, CancellationToken.None).GetAwaiter().GetResult());
    }

}
