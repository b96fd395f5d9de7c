using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Builds;
using Microsoft.AspNetCore.Components;
using Portal.Core.Security;
using Portal.Web.Features.Datasets;
using Portal.Web.Features.Deployments;
using Portal.Web.Features.Models;
using Portal.Web.Features.ModelVersions;
using Portal.Web.Features.Projects;
using Portal.Web.Features.Trainings;
using Xunit.Abstractions;

namespace Portal.Tests.Unit.Components;

/// <summary>
/// Every role against every page anyone may read: each action the page offers is offered exactly to the roles the server lets do
/// it (a data scientist is not shown "Promote to prod" to be refused after typing a comment). A button no row below names fails
/// the test, so a new button must say who may press it.
/// </summary>
public sealed partial class RoleButtonsTests(ITestOutputHelper output) : PortalPageContext
{
    private const string V = Roles.Viewer, DS = Roles.DataScientist, TL = Roles.TeamLead;

    /// <summary>Page, its parameters, a selector present once it has loaded, and its buttons with the least role that may press each.</summary>
    private static readonly (Type Page, (string, object)[] Parameters, string Loaded, (string Button, string Role)[] Buttons)[] Pages =
    [
        (typeof(ProjectsPage), [], "#projects-grid a", [("new-project", DS), ("Edit iris", DS), ("Delete iris", DS)]),
        (typeof(ProjectDetailPage), [("Name", "iris")], "h1", [("Edit", DS), ("Delete", DS), ("train-project", DS), ("build-project", DS)]),
        (typeof(ModelsPage), [], "#models-grid a", [("new-model", DS), ("Edit iris-clf", DS), ("Delete iris-clf", DS)]),
        (typeof(ModelDetailPage), [("Name", "iris-clf")], "h1",
            [("upload-dataset", DS), ("Edit", DS), ("Delete", DS), ("Delete d1", DS), ("compare-versions", V), ("model-upload-version", DS)]),
        (typeof(DatasetsPage), [], "#datasets-grid a", [("new-dataset", DS), ("Delete d1", DS)]),
        (typeof(DatasetDetailPage), [("Model", "iris-clf"), ("Name", "d1")], "h1", [("open-lineage", V), ("Delete", DS)]),
        (typeof(TrainingsPage), [], "a[href='/trainings/iris/t1']", [("new-training", DS)]),
        (typeof(TrainingDetailPage), [("Project", "iris"), ("Name", "t1")], "h1", [("open-lineage", V), ("cancel-training", DS)]),
        (typeof(ModelVersionsPage), [], "#versions-table", [("upload-version", DS)]),
        (typeof(VersionDetailPage), [("Model", "iris-clf"), ("Name", "1")], "h1",
            [("open-lineage", V), ("promote-version", TL), ("deploy-version", DS), ("delete-version", DS), ("package-version", DS)]),
        (typeof(DeploymentsPage), [], "a[href='/deployments/iris-api']", [("new-deployment", DS)]),
        (typeof(DeploymentDetailPage), [("Name", "iris-api")], "h1",
            [("open-lineage", V), ("stop-deployment", DS), ("remove-deployment", DS), ("scale-deployment", DS), ("console-send", DS), ("save-alert", DS), ("set-idle", DS)]),
        (typeof(Portal.Web.Features.Routes.RoutesPage), [], "h1", [("new-route", DS)]),
    ];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await SeedIrisAsync();
    }

    public static TheoryData<string> RoleNames => [Roles.Viewer, Roles.DataScientist, Roles.TeamLead, Roles.Admin];

    [Theory]
    [MemberData(nameof(RoleNames))]
    public async Task Each_page_offers_a_role_the_actions_it_may_take_and_no_other(string role)
    {
        SignIn($"a-{role}", role);
        // "Build image" is offered only where images can be built (a docker engine answers): ProjectBuildsTests covers both.
        var buildsHere = await Services.GetRequiredService<ProjectBuilder>().UnavailableAsync(CancellationToken.None) is null;
        foreach (var (page, parameters, loaded, buttons) in Pages)
        {
            var cut = Render(builder =>
            {
                builder.OpenComponent(0, page);
                foreach (var (name, value) in parameters) builder.AddAttribute(1, name, value);
                builder.CloseComponent();
            });
            cut.WaitForElement(loaded, TimeSpan.FromSeconds(10));
            var expected = buttons.Where(b => Roles.Satisfies([role], b.Role) && (b.Button != "build-project" || buildsHere))
                .Select(b => b.Button).Order().ToList();
            // Parts of a page load on their own (a project's builds): wait until they have, then look once more.
            cut.WaitForAssertion(() => Assert.Equal(expected, Offered(cut.Nodes.QuerySelectorAll("*")).Distinct().Order().ToList()), TimeSpan.FromSeconds(10));
            var offered = Offered(cut.Nodes.QuerySelectorAll("*")).ToList();
            output.WriteLine($"{page.Name} as {role}: {string.Join(", ", offered)}");
            var unknown = offered.Except(buttons.Select(b => b.Button)).ToList();
            Assert.True(unknown.Count == 0, $"{page.Name} offers buttons nobody said who may press: {string.Join(", ", unknown)}");
        }
    }

    [Fact]
    public void A_data_scientist_sees_why_promoting_to_prod_is_not_theirs_before_typing_anything()
    {
        SignIn("dee", Roles.DataScientist);
        var page = Render<VersionDetailPage>(p => p.Add(v => v.Model, "iris-clf").Add(v => v.Name, "1"));
        var promote = page.WaitForElement("#promote-version");
        Assert.True(promote.HasAttribute("disabled"));
        Assert.Equal("Promoting to prod takes a team lead.", promote.GetAttribute("title"));
        Assert.Empty(page.FindAll("#promote-comment"));
    }

    /// <summary>Enabled buttons and button-styled links, by id, else accessible name, else text; a grid's own paging is not an action.</summary>
    private static IEnumerable<string> Offered(IEnumerable<IElement> elements) => elements
        .Where(e => (e.LocalName == "button" || (e.LocalName == "a" && e.ClassList.Contains("mud-button-root"))) && !e.HasAttribute("disabled"))
        .Where(e => !e.ClassList.Contains("sort-button") && e.Closest(".mud-input-numeric-spin, .mud-table-pagination, .mud-table-head, .mud-toggle-group, .mud-input-adornment, .mud-picker") is null)
        .Select(e => e.GetAttribute("aria-label") ?? (e.Id is { } id && OwnId().IsMatch(id) ? id : Text(e)));

    /// <summary>What a button says, without its icon's ligature name.</summary>
    private static string Text(INode node) => node is IElement { LocalName: "i" or "svg" } ? ""
        : node.NodeType == NodeType.Text ? node.TextContent.Trim() : string.Concat(node.ChildNodes.Select(Text));

    /// <summary>The ids the portal gives (kebab-case words); component libraries make up random ones.</summary>
    [System.Text.RegularExpressions.GeneratedRegex("^[a-z]+(-[a-z]+)+$")]
    private static partial System.Text.RegularExpressions.Regex OwnId();
}
