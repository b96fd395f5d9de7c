using Bunit;
using Portal.Core.Containers;
using Portal.Web.Features.Deployments;

namespace Portal.Tests.Unit.Components;

/// <summary>The deploy form offers only what the container manager can do (a new user asked the local manager for 2 replicas).</summary>
public sealed class DeploymentFormPageTests : PortalPageContext
{
    [Fact]
    public void On_a_manager_of_one_replica_the_replicas_field_is_fixed_at_one_and_says_why()
    {
        Manager.Capabilities = new ManagerCapabilities { Kind = "local", Replicas = false };
        var form = Render<DeploymentFormPage>();
        var replicas = form.WaitForElement("#deployment-replicas input");
        Assert.True(replicas.HasAttribute("disabled"));
        Assert.Equal("1", replicas.GetAttribute("value"));
        Assert.Contains("local container manager runs one replica per deployment", form.Find("#replicas-hint").TextContent);
    }

    [Fact]
    public void On_a_manager_that_runs_replicas_the_field_is_open_and_no_hint_is_shown()
    {
        Manager.Capabilities = new ManagerCapabilities { Kind = "swarm", Replicas = true };
        var form = Render<DeploymentFormPage>();
        Assert.False(form.WaitForElement("#deployment-replicas input").HasAttribute("disabled"));
        Assert.Empty(form.FindAll("#replicas-hint"));
    }
}
