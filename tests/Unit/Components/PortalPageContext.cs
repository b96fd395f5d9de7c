using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Core.Containers;
using Portal.Core.Security;
using Portal.Tests.Unit.Support;

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
        App = new PortalAppFactory(extraYaml, s =>
        {
            s.RemoveAll<IContainerManager>();
            s.AddSingleton<IContainerManager>(new WatchSharingManager(Manager));
        });
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
        var auth = _scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>();
        Services.AddSingleton(auth);
        // The portal's own policies decide, not bUnit's placeholders.
        Services.AddSingleton(_scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Authorization.IAuthorizationService>());
        Services.AddSingleton(_scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Authorization.IAuthorizationPolicyProvider>());
        Services.AddCascadingAuthenticationState();
        // Component libraries' services take the test's navigation and JS runtime, not the fallback's (which have no circuit).
        Radzen.ServiceCollectionExtensions.AddRadzenComponents(Services);
        MudBlazor.Services.ServiceCollectionExtensions.AddMudServices(Services);
        Services.AddFallbackServiceProvider(_scope.ServiceProvider);
        SignIn("admin", Roles.Admin);
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
