using System.Net.Http.Json;
using Bunit;
using Portal.Web.Features.Projects;

namespace Portal.Tests.Unit.Components;

/// <summary>"Build image" was offered on embedded defaults and then failed: with no engine to build with, the page says so instead.</summary>
public sealed class ProjectBuildsTests() : PortalPageContext("docker:\n  daemon_address: unix:/tmp/no-docker-here.sock\n")
{
    [Fact]
    public async Task Without_an_engine_the_project_page_offers_no_build_and_says_why()
    {
        Directory.CreateDirectory(Path.Combine(Files.Path, "home"));
        (await Admin.PostAsJsonAsync("/api/v1/projects", new { name = "iris", home_dir = Path.Combine(Files.Path, "home") })).EnsureSuccessStatusCode();
        var page = Render<ProjectDetailPage>(p => p.Add(d => d.Name, "iris"));
        var why = page.WaitForElement("#builds-unavailable");
        Assert.Contains("Image builds need a Docker engine, and none answers at unix:/tmp/no-docker-here.sock", why.TextContent);
        Assert.Empty(page.FindAll("#build-project"));
    }
}
