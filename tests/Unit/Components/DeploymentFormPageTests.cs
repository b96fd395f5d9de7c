using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Persistence;
using Portal.Core.Stores;
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
        var replicas = form.WaitForElement("input#deployment-replicas");
        Assert.True(replicas.HasAttribute("disabled"));
        Assert.Equal("1", replicas.GetAttribute("value"));
        Assert.Contains("local container manager runs one replica per deployment", form.Find("#replicas-hint").TextContent);
    }

    [Fact]
    public void On_a_manager_that_runs_replicas_the_field_is_open_and_no_hint_is_shown()
    {
        Manager.Capabilities = new ManagerCapabilities { Kind = "swarm", Replicas = true };
        var form = Render<DeploymentFormPage>();
        Assert.False(form.WaitForElement("input#deployment-replicas").HasAttribute("disabled"));
        Assert.Empty(form.FindAll("#replicas-hint"));
    }

    [Fact]
    public async Task Coming_from_a_version_trained_in_a_build_the_form_serves_it_with_that_build_not_the_base_image()
    {
        await SeedIrisAsync();
        var project = await App.Services.GetRequiredService<IProjectStore>().FindAsync("iris", CancellationToken.None);
        var build = await App.Services.GetRequiredService<IBuildStore>().SaveAsync(new BuildVersion
        {
            Tag = "v2", ProjectId = project!.Id, Image = "portal/iris:v2", BuiltAt = DateTime.UtcNow, BuiltFrom = BuildSource.Local,
        }, CancellationToken.None);
        await using (var db = await App.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
            await db.Set<ModelVersion>().ExecuteUpdateAsync(v => v.SetProperty(x => x.BuildVersionId, build.Id));

        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo("/deployments/new?model_version=iris-clf/1");
        var form = Render<DeploymentFormPage>();
        // The select shows the chosen build's text in its (read-only) input.
        form.WaitForAssertion(() => Assert.Equal("v2 · portal/iris:v2", form.Find("#deployment-build").GetAttribute("value")));
    }
}
