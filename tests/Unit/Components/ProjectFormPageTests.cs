using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Projects;

namespace Portal.Tests.Unit.Components;

/// <summary>The project form on MudBlazor: typing, submitting, the message next to the field, and what is kept.</summary>
public sealed class ProjectFormPageTests : PortalPageContext
{
    [Fact]
    public async Task A_bad_name_is_explained_next_to_its_field_and_nothing_is_lost_then_a_good_one_creates_the_project()
    {
        var form = Render<ProjectFormPage>();
        var name = form.WaitForElement("#project-name");
        await name.ChangeAsync(new ChangeEventArgs { Value = "Iris Project" });
        await form.Find("#project-git-repo").ChangeAsync(new ChangeEventArgs { Value = "https://git.example.com/team/iris.git" });
        await form.Find("form").SubmitAsync();

        form.WaitForAssertion(() => Assert.Contains("only lowercase letters, digits and dashes", form.Find("#name-error").TextContent));
        Assert.Equal("https://git.example.com/team/iris.git", form.Find("#project-git-repo").GetAttribute("value"));
        Assert.Equal("true", form.Find("#project-name").GetAttribute("aria-invalid"));

        await form.Find("#project-name").ChangeAsync(new ChangeEventArgs { Value = "iris-project" });
        await form.Find("form").SubmitAsync();
        var nav = Services.GetRequiredService<NavigationManager>();
        form.WaitForAssertion(() => Assert.EndsWith("/projects/iris-project", nav.Uri));
        Assert.Empty(form.FindAll("#name-error"));
    }
}
