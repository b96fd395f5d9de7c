using System.Net.Http.Json;
using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Core.Containers;
using Portal.Core.Security;
using Portal.Tests.Unit.Support;
using Portal.Tests.Unit.Trainings;

namespace Portal.Tests.Unit.Components;

/// <summary>
/// Pages rendered with bUnit over the real portal's services (its SQLite store, its rules, the in-memory container manager):
/// what a page shows comes from the same code a browser's circuit runs. <see cref="SignIn"/> picks the user and roles.
/// </summary>
public abstract class PortalPageContext : BunitContext, IAsyncLifetime
{
    private AsyncServiceScope _scope;

    protected PortalPageContext(string extraYaml = "")
    {
        App = PortalAppFactory.WithManager(Manager, extraYaml);
    }

    protected FakeContainerManager Manager { get; } = new() { ScriptFor = _ => "sleep 600" };
    protected PortalAppFactory App { get; }
    /// <summary>The first admin calling the API, to put things in place before a page is rendered.</summary>
    protected HttpClient Admin { get; private set; } = null!;
    protected TempDir Files { get; } = new();

    public virtual async Task InitializeAsync()
    {
        Admin = await App.CreateClientAsync();
        _scope = App.Services.CreateAsyncScope();
        JSInterop.Mode = JSRuntimeMode.Loose;
        // Services made by the portal's container (the snackbar behind PageAccess) take its navigation manager: give it an address.
        ((Microsoft.AspNetCore.Components.Routing.IHostEnvironmentNavigationManager)_scope.ServiceProvider
            .GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>()).Initialize("http://localhost/", "http://localhost/");
        var auth = _scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>();
        Services.AddSingleton(auth);
        // The portal's own policies decide, not bUnit's placeholders.
        Services.AddSingleton(_scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Authorization.IAuthorizationService>());
        Services.AddSingleton(_scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Authorization.IAuthorizationPolicyProvider>());
        Services.AddCascadingAuthenticationState();
        // Component libraries' services take the test's navigation and JS runtime, not the fallback's (which have no circuit).
        MudBlazor.Services.ServiceCollectionExtensions.AddMudServices(Services);
        Services.AddFallbackServiceProvider(_scope.ServiceProvider);
        SignIn("admin", Roles.Admin);
    }

    /// <summary>
    /// One of everything, as the first admin: project iris (a home directory with a notebook and predict.py), model iris-clf,
    /// dataset d1, version 1 promoted to test, training iris/t1 (running on the in-memory manager) and deployment iris-api.
    /// </summary>
    protected async Task SeedIrisAsync()
    {
        var home = Path.Combine(Files.Path, "iris");
        TrainingRunTests.WriteNotebook(Files, "iris", "x = 1");
        await File.WriteAllTextAsync(Path.Combine(home, "predict.py"), "def load(path): return None\ndef predict(model, data): return data\n");
        (await Admin.PostAsJsonAsync("/api/v1/models", new { name = "iris-clf" })).EnsureSuccessStatusCode();
        (await Admin.PostAsJsonAsync("/api/v1/projects", new { name = "iris", home_dir = home, models = new[] { "iris-clf" } })).EnsureSuccessStatusCode();
        using (var dataset = new MultipartFormDataContent { { new StringContent("d1"), "name" }, { new ByteArrayContent([1, 2]), "files", "train.csv" } })
            (await Admin.PostAsync("/api/v1/models/iris-clf/datasets", dataset)).EnsureSuccessStatusCode();
        using (var version = new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]), "files", "model.pkl" } })
            (await Admin.PostAsync("/api/v1/models/iris-clf/versions", version)).EnsureSuccessStatusCode();
        (await Admin.PostAsJsonAsync("/api/v1/models/iris-clf/versions/1/promote", new { environment = "test", comment = "good" })).EnsureSuccessStatusCode();
        (await Admin.PostAsJsonAsync("/api/v1/trainings", new { project = "iris", name = "t1", notebook = "nb.ipynb" })).EnsureSuccessStatusCode();
        (await Admin.PostAsJsonAsync("/api/v1/deployments", new { name = "iris-api", project = "iris", model_version = "iris-clf/1", entry = "predict.py", environment = "test" }))
            .EnsureSuccessStatusCode();
    }

    /// <summary>Pages and their services see <paramref name="user"/> with <paramref name="role"/> from now on.</summary>
    protected void SignIn(string user, string role)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user), new Claim(ClaimTypes.Role, role)], "test");
        var principal = new ClaimsPrincipal(identity);
        ((IHostEnvironmentAuthenticationStateProvider)_scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>())
            .SetAuthenticationState(Task.FromResult(new AuthenticationState(principal)));
        ActorContext.Use(new Actor(user, [role], "127.0.0.1"));
    }

    public new virtual async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _scope.DisposeAsync();
        Admin.Dispose();
        await App.DisposeAsync();
        Files.Dispose();
    }
}
