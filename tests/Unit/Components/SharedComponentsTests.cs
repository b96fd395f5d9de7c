using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Security;
using Portal.Web.Auth;
using Portal.Web.Components.Layout;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Models;
using Portal.Web.Features.Projects;

namespace Portal.Tests.Unit.Components;

/// <summary>The shared components and the layout, rendered with bUnit and the portal's own authorization policies.</summary>
public sealed class SharedComponentsTests : BunitContext, IAsyncLifetime
{
    private ClaimsPrincipal _user = new();

    public SharedComponentsTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddAuthorizationBuilder().AddPortalPolicies();
        // The portal's policies decide, not bUnit's placeholders.
        Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationService, Microsoft.AspNetCore.Authorization.DefaultAuthorizationService>();
        Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationPolicyProvider, Microsoft.AspNetCore.Authorization.DefaultAuthorizationPolicyProvider>();
        Services.AddSingleton<AuthenticationStateProvider>(new UserState(() => _user));
        Services.AddCascadingAuthenticationState();
        // The layout asks whether it is interactive (a page rendered without a circuit starts with the drawer closed).
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", true));
    }

    private void As(string role) => _user = PortalPrincipal.For("someone", null, [role], "local", "test");

    [Fact]
    public void File_spec_table_lists_each_spec_and_says_when_there_is_nothing()
    {
        var table = Render<FileSpecTable>(p => p.Add(t => t.Specs, [
            new FileSpec { Name = "train.csv", Desc = "labelled rows", Required = true, MaxMb = 5 },
            new FileSpec { Name = "notes.txt" },
        ]));
        var rows = table.FindAll("tbody tr");
        Assert.Equal(2, rows.Count);
        Assert.Equal("train.csv", rows[0].QuerySelector("code")!.TextContent);
        Assert.Contains("labelled rows", rows[0].TextContent);
        Assert.Contains("required", rows[0].TextContent);
        Assert.Contains("5 MB", rows[0].TextContent);
        Assert.Contains("optional", rows[1].TextContent);

        var empty = Render<FileSpecTable>(p => p.Add(t => t.Specs, []).Add(t => t.EmptyText, "No data files."));
        Assert.Contains("No data files.", empty.Markup);
        Assert.Empty(empty.FindAll("table"));
    }

    [Fact]
    public void Field_error_shows_only_its_field_and_is_announced_and_a_prefix_collects_a_lists_rows()
    {
        var errors = new FormErrors();
        errors.Set(new ValidationFailedException(new Dictionary<string, string[]>
        {
            ["name"] = ["The name is required."], ["desc"] = ["Too long."],
            ["data_files[0].name"] = ["first"], ["data_files[3].max_mb"] = ["second"], ["model_files[0].name"] = ["other"],
        }));
        var name = Render<FieldError>(p => p.Add(f => f.Errors, errors).Add(f => f.Field, "name")).Find("#name-error");
        Assert.Equal("alert", name.GetAttribute("role"));
        Assert.Contains("The name is required.", name.TextContent);
        Assert.DoesNotContain("Too long.", name.TextContent);

        var list = Render<FieldError>(p => p.Add(f => f.Errors, errors).Add(f => f.Field, "data_files*")).Markup;
        Assert.Contains("first", list);
        Assert.Contains("second", list);
        Assert.DoesNotContain("other", list);
    }

    [Fact]
    public void Form_errors_without_a_field_on_the_form_are_not_lost()
    {
        var errors = new FormErrors().Fields("name");
        errors.Set(new ValidationFailedException(new Dictionary<string, string[]> { ["name"] = ["placed"], ["surprise"] = ["unplaced"] }));
        Assert.Equal(["unplaced"], errors.Unplaced);
        Assert.Contains("unplaced", Render<FormAlert>(p => p.Add(a => a.Errors, errors)).Markup);
        errors.SetFromProblem(413, "");
        Assert.Contains("file_store.max_upload_mb", errors.General);
        errors.SetFromProblem(400, """{"errors":{"files":["too big"]}}""");
        Assert.Equal(["too big"], errors.For("files"));
        errors.SetFromProblem(409, """{"title":"Conflict.","detail":"taken"}""");
        Assert.Equal("taken", errors.General);
    }

    [Fact]
    public void Navigation_offers_an_admin_every_area()
    {
        As(Roles.Admin);
        var nav = Render<NavMenu>();
        foreach (var (area, path) in new[] { ("Projects", "/projects"), ("Models", "/models"), ("Datasets", "/datasets"), ("Trainings", "/trainings"),
                     ("Sweeps", "/sweeps"), ("Schedules", "/schedules"), ("Model versions", "/model-versions"), ("Batch scoring", "/batch"), ("Deployments", "/deployments"), ("IDE", "/ide"), ("Lineage", "/lineage"),
                     ("Credentials", "/credentials"), ("Audit log", "/audit"), ("Users", "/users"), ("Settings", "/settings") })
            Assert.Equal(area, nav.Find($"a[href='{path}']").TextContent.Trim());
    }

    [Fact]
    public void Navigation_shows_a_viewer_only_what_a_viewer_may_open()
    {
        As(Roles.Viewer);
        var nav = Render<NavMenu>();
        Assert.NotNull(nav.Find("a[href='/projects']"));
        Assert.NotNull(nav.Find("a[href='/deployments']"));
        foreach (var hidden in new[] { "/ide", "/credentials", "/audit", "/users", "/settings" })
            Assert.Empty(nav.FindAll($"a[href='{hidden}']"));
    }

    [Fact]
    public async Task The_layout_toggles_the_navigation_and_remembers_the_theme_in_the_browser()
    {
        As(Roles.DataScientist);
        JSInterop.Setup<string?>("portal.theme.get").SetResult("dark");
        var layout = Render<MainLayout>(p => p.Add(l => l.Body, b => b.AddMarkupContent(0, "<h1>Body</h1>")));
        layout.WaitForAssertion(() => Assert.Equal("dark", layout.Find("#theme-toggle").GetAttribute("data-theme")));
        Assert.Equal("someone", layout.Find("#current-user").TextContent);

        await layout.Find("#theme-toggle").ClickAsync(new());
        Assert.Equal("light", layout.Find("#theme-toggle").GetAttribute("data-theme"));
        Assert.Equal("Use the dark theme", layout.Find("#theme-toggle").GetAttribute("aria-label"));
        Assert.Contains(JSInterop.Invocations, i => i.Identifier == "portal.theme.set" && Equals(i.Arguments[0], "light"));

        // The drawer's start depends on the width (closed on a phone); the button opens and closes it and says which.
        var before = layout.Find("#nav-toggle").GetAttribute("aria-expanded");
        await layout.Find("#nav-toggle").ClickAsync(new());
        Assert.Equal(before == "true" ? "false" : "true", layout.Find("#nav-toggle").GetAttribute("aria-expanded"));
    }

    [Fact]
    public void Empty_state_is_announced_with_its_title_and_text()
    {
        var state = Render<EmptyState>(p => p.Add(e => e.Title, "No projects yet").Add(e => e.Text, "Register one."));
        Assert.Equal("status", state.Find(".empty-state").GetAttribute("role"));
        Assert.Contains("No projects yet", state.Markup);
        Assert.Contains("Register one.", state.Markup);
    }

    [Fact]
    public void Project_source_names_where_the_code_is()
    {
        var git = Render<ProjectSource>(p => p.Add(s => s.Project, new Project { Name = "p", GitRepo = "https://g/x.git" }));
        Assert.Contains("Git: https://g/x.git", git.Markup);
        Assert.DoesNotContain("Home directory", git.Markup);
        Assert.Contains("none yet", Render<ProjectSource>(p => p.Add(s => s.Project, new Project { Name = "p" })).Markup);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => base.DisposeAsync().AsTask();

    private sealed class UserState(Func<ClaimsPrincipal> user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user()));
    }
}
