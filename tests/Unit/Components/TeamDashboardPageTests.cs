using Bunit;
using Portal.Core.Security;
using Portal.Web.Features.Dashboards;

namespace Portal.Tests.Unit.Components;

/// <summary>The team dashboard over the real portal's services: its figures, its charts, and each chart's table view.</summary>
public sealed class TeamDashboardPageTests : PortalPageContext
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await SeedIrisAsync();
        SignIn("lead", Roles.TeamLead);
    }

    [Fact]
    public void The_dashboard_draws_each_chart_and_shows_its_numbers_as_a_table_on_request()
    {
        var page = Render<TeamDashboardPage>();
        page.WaitForAssertion(() => Assert.Equal("1", page.Find("#kpi-trainings .kpi-value").TextContent), TimeSpan.FromSeconds(10));
        // Trainings per day is a stacked bar chart (it failed to build its options once); deployments a plain one.
        Assert.NotEmpty(page.FindAll("#chart-per-day .mud-chart svg"));
        Assert.NotEmpty(page.FindAll("#chart-deployments svg"));
        Assert.Empty(page.FindAll("#table-per-day"));

        page.Find("#chart-per-day").QuerySelectorAll("button").Single(b => b.TextContent.Trim() == "Table").Click();
        var row = page.WaitForElement("#table-per-day tbody tr");
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd"), row.QuerySelector("td")!.TextContent);
        Assert.Empty(page.FindAll("#chart-per-day .mud-chart"));
    }

    [Fact]
    public void A_model_whose_versions_report_no_metric_says_so_instead_of_an_empty_chart()
    {
        var page = Render<TeamDashboardPage>();
        page.WaitForAssertion(() => Assert.Contains("No version of this model reports a numeric metric", page.Find("#chart-metric").TextContent),
            TimeSpan.FromSeconds(10));
    }
}
