using System.Net.Http.Json;
using Bunit;
using Portal.Core.Security;
using Portal.Web.Features.Admin;
using Portal.Web.Features.Routes;

namespace Portal.Tests.Unit.Components;

/// <summary>
/// The Routes page (routes with their traffic, the form and its errors), the Batch scoring page (empty, and its form's
/// errors by field) and the admins' Webhooks page, over the real portal's services.
/// </summary>
public sealed class ServingPagesTests : PortalPageContext
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await SeedIrisAsync();
        (await Admin.PostAsJsonAsync("/api/v1/deployments", new { name = "iris-b", project = "iris", model_version = "iris-clf/1", entry = "predict.py", environment = "test" }))
            .EnsureSuccessStatusCode();
        (await Admin.PostAsJsonAsync("/api/v1/routes", new
        {
            name = "iris", targets = new[] { new { deployment = "iris-api", weight = 90 }, new { deployment = "iris-b", weight = 10 } }, shadow = (string?)null,
        })).EnsureSuccessStatusCode();
    }

    [Fact]
    public void The_routes_page_lists_each_target_with_its_weight_and_a_new_route_without_deployments_is_refused_by_field()
    {
        SignIn("dana", Roles.DataScientist);
        var page = Render<RoutesPage>();
        page.WaitForElement("#route-iris");
        var rows = page.FindAll("#route-iris tr[data-deployment]");
        Assert.Equal(["iris-api", "iris-b"], rows.Select(r => r.GetAttribute("data-deployment") ?? "").ToArray());
        Assert.Contains("90 %", rows[0].TextContent);
        Assert.Contains("/model/iris/api/model/invoke", page.Find("#route-iris").TextContent);

        page.Find("#new-route").Click();
        page.WaitForElement("#route-form");
        page.Find("#route-form form").Submit();
        page.WaitForAssertion(() => Assert.Contains("Name the deployment this target sends requests to", page.Find("#route-form").TextContent));
        Assert.Contains("Name", page.Find("#route-form").TextContent);
    }

    [Fact]
    public void The_batch_page_says_there_are_no_jobs_and_its_form_names_what_to_fix()
    {
        SignIn("dana", Roles.DataScientist);
        var page = Render<Portal.Web.Features.Batch.BatchJobsPage>();
        page.WaitForAssertion(() => Assert.Contains("No batch jobs yet", page.Markup));
        page.Find("#new-batch-job").Click();
        page.WaitForElement("#batch-form");
        page.Find("#batch-output").Change("Bad Name!");
        page.Find("#batch-form form").Submit();
        page.WaitForAssertion(() =>
        {
            var form = page.Find("#batch-form").TextContent;
            Assert.Contains("There is no model version ''", form);
            Assert.Contains("There is no dataset ''", form);
            Assert.Contains("dataset name", form);
        }, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_deployments_page_names_the_routes_that_send_it_requests_with_its_weight()
    {
        var page = Render<Portal.Web.Features.Deployments.DeploymentDetailPage>(p => p.Add(c => c.Name, "iris-b"));
        page.WaitForElement("#deployment-routes tr[data-route='iris']", TimeSpan.FromSeconds(10));
        Assert.Contains("10 %", page.Find("#deployment-routes tr[data-route='iris']").TextContent);
    }

    [Fact]
    public void A_viewer_sees_the_routes_but_no_button_to_change_them()
    {
        SignIn("vera", Roles.Viewer);
        var page = Render<RoutesPage>();
        page.WaitForElement("#route-iris");
        Assert.Empty(page.FindAll("#new-route"));
        Assert.DoesNotContain(page.FindAll("button"), b => b.GetAttribute("aria-label") == "Delete route iris");
    }

    [Fact]
    public void An_admin_registers_a_webhook_and_sees_its_secret_once()
    {
        // In a circuit the portal's handler names the actor for the services; here the test does, as the admin signed in.
        using var actor = ActorContext.Use(new Actor("admin", [Roles.Admin], null));
        var page = Render<WebhooksPage>();
        page.WaitForElement("#webhook-form");
        page.Find("#webhook-name").Change("ops");
        page.Find("#webhook-url").Change("ftp://hooks.example.com/x");
        page.Find("#webhook-form form").Submit();
        page.WaitForAssertion(() => Assert.Contains("is not an http(s) address", page.Find("#webhook-form").TextContent), TimeSpan.FromSeconds(3));

        page.Find("#webhook-url").Change("https://hooks.example.com/portal");
        page.Find("#webhook-form form").Submit();
        page.WaitForElement("#webhook-secret");
        Assert.Contains("whsec_", page.Find("#webhook-secret").TextContent);
        page.WaitForElement("#webhook-ops");
        Assert.Contains("all events", page.Find("#webhook-ops").TextContent);
    }
}
