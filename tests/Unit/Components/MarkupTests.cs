using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.JSInterop;
using Portal.Tests.Unit.Support;
using Radzen;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Security;
using Portal.Web.Auth;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Models;
using Portal.Web.Features.Projects;

namespace Portal.Tests.Unit.Components;

/// <summary>Renders components to HTML with the framework's HtmlRenderer (to be replaced by bUnit tests as pages move to MudBlazor, issue 18).</summary>
public class MarkupTests
{
    private static async Task<string> RenderAsync<T>(Dictionary<string, object?> parameters, System.Security.Claims.ClaimsPrincipal? user = null) where T : IComponent
    {
        var collection = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddLogging()
            .AddSingleton<IJSRuntime, StaticRenderJsRuntime>()
            .AddSingleton<NavigationManager, StaticNavigationManager>()
            .AddSingleton<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider>(new FixedAuthenticationState(user ?? new()))
            .AddCascadingAuthenticationState()
            .AddRadzenComponents();
        collection.AddAuthorizationBuilder().AddPortalPolicies();
        var services = collection.BuildServiceProvider();
        await using var renderer = new HtmlRenderer(services, NullLoggerFactory.Instance);
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<T>(ParameterView.FromDictionary(parameters))).ToHtmlString());
    }

    [Fact]
    public async Task File_spec_table_lists_each_spec()
    {
        var html = await RenderAsync<FileSpecTable>(new()
        {
            [nameof(FileSpecTable.Specs)] = new List<FileSpec>
            {
                new() { Name = "train.csv", Desc = "labelled rows", Required = true, MaxMb = 5 },
                new() { Name = "notes.txt" },
            },
        });
        Assert.Contains("<code>train.csv</code>", html);
        Assert.Contains("labelled rows", html);
        Assert.Contains("required", html);
        Assert.Contains("5 MB", html);
        Assert.Contains("optional", html);
    }

    [Fact]
    public async Task File_spec_table_says_when_there_is_nothing()
    {
        var html = await RenderAsync<FileSpecTable>(new() { [nameof(FileSpecTable.Specs)] = new List<FileSpec>(), [nameof(FileSpecTable.EmptyText)] = "No data files." });
        Assert.Contains("No data files.", html);
        Assert.DoesNotContain("<table", html);
    }

    [Fact]
    public async Task Field_error_shows_only_its_field_and_is_announced()
    {
        var errors = new FormErrors();
        errors.Set(new ValidationFailedException(new Dictionary<string, string[]>
        {
            ["name"] = ["The name is required."],
            ["desc"] = ["Too long."],
        }));
        var html = await RenderAsync<FieldError>(new() { [nameof(FieldError.Errors)] = errors, [nameof(FieldError.Field)] = "name" });
        Assert.Contains("role=\"alert\"", html);
        Assert.Contains("id=\"name-error\"", html);
        Assert.Contains("The name is required.", html);
        Assert.DoesNotContain("Too long.", html);
    }

    [Fact]
    public async Task Field_error_prefix_collects_the_rows_of_a_list()
    {
        var errors = new FormErrors();
        errors.Set(new ValidationFailedException(new Dictionary<string, string[]>
        {
            ["data_files[0].name"] = ["first"],
            ["data_files[3].max_mb"] = ["second"],
            ["model_files[0].name"] = ["other"],
        }));
        var html = await RenderAsync<FieldError>(new() { [nameof(FieldError.Errors)] = errors, [nameof(FieldError.Field)] = "data_files*" });
        Assert.Contains("first", html);
        Assert.Contains("second", html);
        Assert.DoesNotContain("other", html);
    }

    [Fact]
    public async Task Form_errors_without_a_field_on_the_form_are_not_lost()
    {
        var errors = new FormErrors().Fields("name");
        errors.Set(new ValidationFailedException(new Dictionary<string, string[]> { ["name"] = ["placed"], ["surprise"] = ["unplaced"] }));
        Assert.Equal(["unplaced"], errors.Unplaced);
        errors.SetFromProblem(413, "");
        Assert.Contains("file_store.max_upload_mb", errors.General);
        errors.SetFromProblem(400, """{"errors":{"files":["too big"]}}""");
        Assert.Equal(["too big"], errors.For("files"));
        errors.SetFromProblem(409, """{"title":"Conflict.","detail":"taken"}""");
        Assert.Equal("taken", errors.General);
    }

    [Fact]
    public async Task Navigation_offers_every_area_to_an_admin()
    {
        var html = await RenderAsync<Portal.Web.Components.Layout.NavMenu>([], User(Roles.Admin));
        foreach (var (area, path) in new[] { ("Projects", "/projects"), ("Models", "/models"), ("Datasets", "/datasets"), ("Trainings", "/trainings"),
                     ("Model versions", "/model-versions"), ("Deployments", "/deployments"), ("IDE", "/ide"), ("Lineage", "/lineage"),
                     ("Credentials", "/credentials"), ("Audit log", "/audit"), ("Users", "/users"), ("Settings", "/settings") })
        {
            Assert.Contains($">{area}<", html);
            Assert.Contains($"href=\"{path}\"", html);
        }
    }

    [Fact]
    public async Task Navigation_shows_a_viewer_only_what_a_viewer_may_open()
    {
        var html = await RenderAsync<Portal.Web.Components.Layout.NavMenu>([], User(Roles.Viewer));
        Assert.Contains("href=\"/projects\"", html);
        Assert.Contains("href=\"/deployments\"", html);
        foreach (var hidden in new[] { "/ide", "/credentials", "/audit", "/users", "/settings" })
            Assert.DoesNotContain($"href=\"{hidden}\"", html);
    }

    private static System.Security.Claims.ClaimsPrincipal User(string role) =>
        PortalPrincipal.For("someone", null, [role], "local", "test");

    private sealed class FixedAuthenticationState(System.Security.Claims.ClaimsPrincipal user) : Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider
    {
        public override Task<Microsoft.AspNetCore.Components.Authorization.AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new Microsoft.AspNetCore.Components.Authorization.AuthenticationState(user));
    }

    [Fact]
    public async Task Empty_state_renders_title_and_text()
    {
        var html = await RenderAsync<EmptyState>(new() { [nameof(EmptyState.Title)] = "No projects yet", [nameof(EmptyState.Text)] = "Register one." });
        Assert.Contains("role=\"status\"", html);
        Assert.Contains("No projects yet", html);
        Assert.Contains("Register one.", html);
    }

    [Fact]
    public async Task Project_source_names_where_the_code_is()
    {
        var html = await RenderAsync<ProjectSource>(new() { [nameof(ProjectSource.Project)] = new Project { Name = "p", GitRepo = "https://g/x.git" } });
        Assert.Contains("Git: https://g/x.git", html);
        Assert.DoesNotContain("Home directory", html);

        html = await RenderAsync<ProjectSource>(new() { [nameof(ProjectSource.Project)] = new Project { Name = "p" } });
        Assert.Contains("none yet", html);
    }
}
