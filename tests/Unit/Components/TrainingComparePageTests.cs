using System.Net.Http.Json;
using Bunit;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Entities;
using Portal.Core.Security;
using Portal.Core.Trainings;
using Portal.Web.Features.Trainings;

namespace Portal.Tests.Unit.Components;

/// <summary>
/// The compare page over running trainings that reported metrics through the portal's own report path: the table marks
/// what differs, the parallel coordinates draw a line per run and a range on an axis keeps only the runs inside it.
/// </summary>
public sealed class TrainingComparePageTests : PortalPageContext
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await SeedIrisAsync();
        var trainings = Services.GetRequiredService<TrainingService>();
        foreach (var (name, trees, accuracy) in new[] { ("rf-10", 10, 0.81), ("rf-30", 30, 0.93), ("rf-50", 50, 0.97) })
        {
            (await Admin.PostAsJsonAsync("/api/v1/trainings", new { project = "iris", name, notebook = "nb.ipynb", parameters = new { n_estimators = trees, seed = 7 } }))
                .EnsureSuccessStatusCode();
            var t = await trainings.GetAsync("iris", name, CancellationToken.None);
            var points = Enumerable.Range(0, 10).Select(s => new MetricStep { Name = "accuracy", Step = s, Value = accuracy * (s + 1) / 10 }).ToList();
            await trainings.ReportAsync(t, null, new Dictionary<string, double> { ["accuracy"] = accuracy }, points, CancellationToken.None);
        }
    }

    private void Open(string runs) =>
        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo(TrainingLinks.Compare(runs.Split(',')));

    [Fact]
    public void The_table_marks_what_differs_and_a_range_on_an_axis_keeps_only_the_runs_inside_it()
    {
        SignIn("dana", Roles.DataScientist);
        Open("iris/rf-10,iris/rf-30,iris/rf-50");
        var page = Render<TrainingComparePage>();
        page.WaitForElement("#compare-table");
        Assert.Contains("differs", page.Find("tr[data-parameter='n_estimators']").ClassName);
        Assert.DoesNotContain("differs", page.Find("tr[data-parameter='seed']").ClassName ?? "");
        Assert.Equal("0.97", page.Find("tr[data-metric='accuracy'] .best").TextContent);
        Assert.Equal(3, page.FindAll("#parallel-coordinates polyline.pc-match").Count);
        Assert.NotEmpty(page.FindAll("#compare-curve-accuracy svg"));

        // Keep the runs with at least 0.9 accuracy: two of three, the other faded in the table.
        page.Find("#pc-accuracy-min").Change("0.9");
        page.WaitForAssertion(() => Assert.Equal("2 of 3 runs are inside the ranges.", page.Find("#pc-matching").TextContent.Trim()));
        Assert.Equal(2, page.FindAll("#parallel-coordinates polyline.pc-match").Count);
        Assert.Contains("faded", page.Find("th[data-run='iris/rf-10']").ClassName);

        // Dragging along the n_estimators axis (the first, at x = 60) from its top to its middle keeps 30 to 50 trees.
        var svg = page.Find("#parallel-coordinates");
        svg.PointerDown(new PointerEventArgs { OffsetX = 60, OffsetY = ParallelCoordinates.Top });
        svg.PointerMove(new PointerEventArgs { OffsetX = 60, OffsetY = (ParallelCoordinates.Top + ParallelCoordinates.Bottom) / 2 });
        svg.PointerUp(new PointerEventArgs { OffsetX = 60, OffsetY = (ParallelCoordinates.Top + ParallelCoordinates.Bottom) / 2 });
        page.WaitForAssertion(() => Assert.Equal("2 of 3 runs are inside the ranges.", page.Find("#pc-matching").TextContent.Trim()));
        Assert.Single(page.FindAll(".pc-brush[data-axis='n_estimators']"));

        page.Find("#pc-clear").Click();
        page.WaitForAssertion(() => Assert.StartsWith("All 3 runs", page.Find("#pc-matching").TextContent.Trim()));
    }

    [Fact]
    public void Fewer_than_two_runs_or_an_unknown_one_say_what_to_fix()
    {
        SignIn("dana", Roles.DataScientist);
        Open("iris/rf-10,iris/nope");
        var page = Render<TrainingComparePage>();
        page.WaitForElement("#compare-problem");
        Assert.Contains("There is no training 'iris/nope'", page.Find("#compare-problem").TextContent);
        Open("iris/rf-10");
        var one = Render<TrainingComparePage>();
        one.WaitForElement("#compare-problem");
        Assert.Contains("Compare 2 to 50 trainings, not 1", one.Find("#compare-problem").TextContent);
    }
}
