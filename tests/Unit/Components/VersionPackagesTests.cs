using Bunit;
using Portal.Web.Features.ModelVersions;

namespace Portal.Tests.Unit.Components;

/// <summary>The packages section of a version's page: empty state, the form's choices, and a refusal shown by the field.</summary>
public sealed class VersionPackagesTests : PortalPageContext
{
    [Fact]
    public async Task A_version_not_packaged_says_so_and_the_form_offers_the_projects_that_use_its_model_and_shows_refusals_by_field()
    {
        await SeedIrisAsync();
        var page = Render<VersionDetailPage>(p => p.Add(x => x.Model, "iris-clf").Add(x => x.Name, "1"));
        page.WaitForElement("#packages-empty");
        Assert.Contains("Not packaged yet", page.Find("#packages-empty").TextContent);

        await page.Find("#package-version").ClickAsync(new());
        page.WaitForElement("#package-form");
        Assert.Equal("iris", page.Find("#package-project").GetAttribute("value"));
        Assert.Equal("predict.py", page.Find("#package-entry").GetAttribute("value"));

        await page.Find("#package-entry").ChangeAsync(new() { Value = "../outside.py" });
        await page.Find("#package-form").SubmitAsync();
        page.WaitForAssertion(() => Assert.Contains("must be a path inside the project", page.Markup));
        Assert.Empty(page.FindAll("#version-packages"));
    }
}
