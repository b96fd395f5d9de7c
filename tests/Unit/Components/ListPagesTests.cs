using Bunit;
using Portal.Core.Entities;
using Portal.Web.Features.Deployments;
using Portal.Web.Features.Trainings;

namespace Portal.Tests.Unit.Components;

/// <summary>What the list pages show of each row, rendered over the real services.</summary>
public sealed class ListPagesTests : PortalPageContext
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await SeedIrisAsync();
    }

    [Fact]
    public void The_deployments_list_has_a_state_column()
    {
        var page = Render<DeploymentsPage>();
        page.WaitForElement("a[href='/deployments/iris-api']");
        Assert.Contains(page.FindAll("#deployments-grid th"), th => th.TextContent.Trim() == "State");
        Assert.Equal("RUNNING", page.Find("#deployments-grid [data-state]").GetAttribute("data-state"));
    }

    [Fact]
    public void A_stopped_ide_session_says_stopped_not_cancelled()
    {
        var badge = Render<TaskStateBadge>(p => p.Add(b => b.State, TaskState.Cancelled).Add(b => b.CancelledText, "STOPPED"));
        Assert.Equal("STOPPED", badge.Find(".state-badge").TextContent.Trim());
        Assert.Equal("CANCELLED", Render<TaskStateBadge>(p => p.Add(b => b.State, TaskState.Cancelled)).Find(".state-badge").TextContent.Trim());
    }
}
