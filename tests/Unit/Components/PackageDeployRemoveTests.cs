using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Core.Entities;
using Portal.Core.Stores;
using Portal.Web.Features.Deployments;
using Portal.Web.Features.ModelVersions;

namespace Portal.Tests.Unit.Components;

/// <summary>
/// A made rest package on the version page: Deploy opens the deploy form for it (no project, version or code to choose),
/// which starts a deployment of its image; Remove asks first, and a package that is served is not removed.
/// </summary>
public sealed class PackageDeployRemoveTests : PortalPageContext
{
    [Fact]
    public async Task A_made_rest_package_is_deployed_from_its_own_form_and_removed_only_when_confirmed_and_not_served()
    {
        await SeedIrisAsync();
        var version = await App.Services.GetRequiredService<IModelVersionStore>().FindByReferenceAsync("iris-clf/1", CancellationToken.None);
        var packages = App.Services.GetRequiredService<IPackageStore>();
        foreach (var (name, kind) in new[] { ("iris-rest", PackageKind.Rest), ("iris-cli", PackageKind.Cli) })
            await packages.AddAsync(new ModelPackage
            {
                Name = name, Kind = kind, ModelVersionId = version!.Id, VersionRef = "iris-clf/1", ProjectId = (await App.Services.GetRequiredService<IProjectStore>().FindAsync("iris", CancellationToken.None))!.Id, ProjectName = "iris",
                Entry = "predict.py", Image = $"portal/package-{name}:1", ImageId = "sha256:" + new string('a', 64), LogKey = $"packages/{name}",
                CreatedAt = DateTime.UtcNow, Task = new TaskInfo { State = TaskState.Finished },
            }, CancellationToken.None);

        var page = Render<VersionDetailPage>(p => p.Add(x => x.Model, "iris-clf").Add(x => x.Name, "1"));
        page.WaitForElement("#version-packages");
        Assert.Equal("/deployments/new?package=iris-rest", page.Find("#deploy-package-iris-rest").GetAttribute("href"));
        Assert.Empty(page.FindAll("#deploy-package-iris-cli"));

        Services.GetRequiredService<NavigationManager>().NavigateTo("/deployments/new?package=iris-rest");
        var form = Render<DeploymentFormPage>();
        form.WaitForElement("#deployment-package");
        Assert.Contains("portal/package-iris-rest:1", form.Find("#deployment-package").TextContent);
        Assert.Empty(form.FindAll("#deployment-project"));
        Assert.Empty(form.FindAll("#deployment-entry"));
        Assert.True(form.Find("input#deployment-port").HasAttribute("disabled"));
        await form.Find("#deployment-name").ChangeAsync(new() { Value = "iris-packaged" });
        await form.Find("form").SubmitAsync();
        form.WaitForAssertion(() => Assert.EndsWith("/deployments/iris-packaged", Services.GetRequiredService<NavigationManager>().Uri));
        var deployment = await App.Services.GetRequiredService<IDeploymentStore>().FindAsync("iris-packaged", CancellationToken.None);
        Assert.Equal(("iris-rest", "portal/package-iris-rest:1"), (deployment!.Package?.Name, Manager.Started.Single(w => w.Name == $"depl-{deployment.Id}").Image));

        var dialogs = Render<MudDialogProvider>();
        var again = Render<VersionDetailPage>(p => p.Add(x => x.Model, "iris-clf").Add(x => x.Name, "1"));
        again.WaitForElement("#version-packages");
        // Served: the confirmation is followed by a refusal that names the deployment, and the package stays.
        // The click's handler waits for the dialog's answer, so it is not awaited here.
        var removing = again.Find("#remove-package-iris-rest").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("Delete the package 'iris-rest'", dialogs.Markup));
        await dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").ClickAsync(new());
        await removing;
        Assert.NotNull(await packages.FindAsync("iris-rest", CancellationToken.None));
        // Not served: removed once confirmed, and gone from the list.
        removing = again.Find("#remove-package-iris-cli").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("Delete the package 'iris-cli'", dialogs.Markup));
        await dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").ClickAsync(new());
        await removing;
        again.WaitForAssertion(() => Assert.Empty(again.FindAll("#remove-package-iris-cli")));
        Assert.Null(await packages.FindAsync("iris-cli", CancellationToken.None));
    }
}
