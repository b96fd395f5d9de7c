using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Portal.Tests.Unit.Support;

/// <summary>The real portal in memory, on its own data directory and configuration file.</summary>
public sealed class PortalAppFactory : WebApplicationFactory<Program>
{
    private readonly TempDir _dir;
    private readonly bool _ownsDir;
    private readonly Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? _services;

    /// <param name="services">Replacements, e.g. the fake container manager for tests that need no engine.</param>
    /// <param name="dir">The portal's folder, kept when given: a second factory on it is the same portal restarted.</param>
    public PortalAppFactory(string extraYaml = "", Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null, TempDir? dir = null)
    {
        _services = services;
        _ownsDir = dir is null;
        _dir = dir ?? new TempDir();
        ConfigFile = _dir.File("portal.yaml", $"store:\n  data_dir: {Path.Combine(_dir.Path, "data")}\n{extraYaml}");
    }

    /// <summary>The portal with <paramref name="fake"/> as its container manager (shared by watchers, as Program composes it).</summary>
    public static PortalAppFactory WithManager(FakeContainerManager fake, string extraYaml = "") => new(extraYaml, s =>
    {
        Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.RemoveAll<Portal.Core.Containers.IContainerManager>(s);
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<Portal.Core.Containers.IContainerManager>(s,
            new Portal.Core.Containers.WatchSharingManager(fake));
    });

    public string ConfigFile { get; }
    public string DataDir => Path.Combine(_dir.Path, "data");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("config", ConfigFile);
        if (_services is not null) builder.ConfigureServices(_services);
    }

    /// <summary>A client that calls as <paramref name="user"/> with <paramref name="role"/> (the first admin by default), through a real access token.</summary>
    public async Task<HttpClient> CreateClientAsync(string user = Portal.Core.Security.UserService.FirstAdminName, string role = Portal.Core.Security.Roles.Admin)
    {
        var http = CreateClient();
        http.UseToken(await TestIdentities.TokenAsync(Services, user, role));
        return http;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (disposing && _ownsDir) _dir.Dispose();
    }
}
