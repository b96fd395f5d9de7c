using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Core.Configuration;
using Portal.Web.Hosting;

namespace Portal.Tests.Unit.Support;

/// <summary>
/// The portal on real Kestrel (a loopback port), composed exactly as Program does, for tests where something
/// outside the process must call the portal back (a notebook's toolkit reporting progress).
/// </summary>
public sealed class RealPortalHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RealPortalHost(WebApplication app, TempDir dir)
    {
        _app = app;
        Dir = dir;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseAddress = addresses.First().Replace("://0.0.0.0:", "://127.0.0.1:", StringComparison.Ordinal);
        IdeAddress = addresses.Skip(1).First().Replace("://0.0.0.0:", "://127.0.0.1:", StringComparison.Ordinal).TrimEnd('/');
        Http = new HttpClient { BaseAddress = new Uri(BaseAddress) };
    }

    public TempDir Dir { get; }
    public string BaseAddress { get; }
    /// <summary>The second port, where IDE sessions are served (their own origin).</summary>
    public string IdeAddress { get; }
    /// <summary>Calls as the first admin, with a real personal access token.</summary>
    public HttpClient Http { get; }
    public string AdminToken { get; private set; } = "";
    public IServiceProvider Services => _app.Services;

    /// <param name="managerYaml">More keys of <c>container_manager</c>, one per line (e.g. <c>give_up_minutes: 0.1</c>).</param>
    /// <param name="storeYaml">More keys of <c>store</c>, one per line (see <see cref="PostgresStoreYamlAsync"/>).</param>
    public static async Task<RealPortalHost> StartAsync(
        string extraYaml = "", TempDir? dir = null, string manager = "local", string? url = null, string managerYaml = "", string storeYaml = "")
    {
        // Containers are off the host's network: they reach the portal at the host's address on theirs, not on loopback.
        url ??= manager is "swarm" or "docker" ? "http://0.0.0.0:0" : "http://127.0.0.1:0";
        dir ??= new TempDir();
        var config = PortalConfigLoader.Parse(
            $"store:\n  data_dir: {Path.Combine(dir.Path, "data")}\n{Indent(storeYaml)}container_manager:\n  type: {manager}\n  local_python: {RealPython.Path}\n" +
            Indent(managerYaml) + extraYaml, "test.yaml");
        WebApplication app;
        for (var attempt = 1; ; attempt++)
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = dir.Path });
            builder.WebHost.UseUrls(url);
            // As Program does: settings saved in the portal are laid over the configuration before composing.
            var stored = await Portal.Core.Settings.StoredSettings.ReadAsync(
                Portal.Core.Persistence.MetadataStore.From(config, PortalPaths.From(config, dir.Path)), CancellationToken.None);
            builder.AddPortal(config, stored);
            app = builder.Build();
            await app.PreparePortalAsync(null, CancellationToken.None);
            app.MapPortal();
            try
            {
                await app.StartAsync();
                break;
            }
            // The IDE origin's free port can be taken by another process between choosing and binding it: start again.
            catch (IOException e) when (attempt < 3 && e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                await app.DisposeAsync();
            }
        }
        var host = new RealPortalHost(app, dir);
        host.AdminToken = await TestIdentities.TokenAsync(app.Services);
        host.Http.UseToken(host.AdminToken);
        return host;
    }

    private static string Indent(string yaml) => string.Concat(yaml.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => $"  {line}\n"));

    /// <summary>The keys of <c>store</c> for a fresh database of the test run's PostgreSQL cluster.</summary>
    public static async Task<string> PostgresStoreYamlAsync() =>
        $"type: postgres\nconnection_string: \"{await RealPostgres.CreateDatabaseAsync()}\"";

    /// <summary>Stops the portal but keeps its data directory, to start another portal on it (a restart).</summary>
    public async Task<TempDir> StopKeepingDataAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return Dir;
    }

    public async ValueTask DisposeAsync()
    {
        // Deployments outlive the portal by design (a restarted portal serves on); a test's portal removes its own.
        var deployments = Services.GetRequiredService<Portal.Core.Deployments.DeploymentService>();
        foreach (var d in (await deployments.ListAsync(new Portal.Core.Stores.PageRequest(Take: 500), CancellationToken.None)).Items)
        {
            try { await deployments.DeleteAsync(d.Name, CancellationToken.None); }
            catch (Portal.Core.Errors.PortalException) { }
        }
        var ide = Services.GetRequiredService<Portal.Core.Ide.IdeService>();
        foreach (var session in await ide.ListAsync(null, CancellationToken.None))
        {
            try { await ide.StopAsync(session.User, session.Name, "The test ended.", CancellationToken.None); }
            catch (Portal.Core.Errors.PortalException) { }
        }
        await RemoveOwnWorkloadsAsync();
        await StopKeepingDataAsync();
        Dir.Dispose();
    }

    /// <summary>
    /// Trainings, builds and batch jobs go on when their portal stops (a restarted portal adopts them); a test's portal
    /// removes what it started, so a swarm task reserving a CPU does not hold the node for the tests after it.
    /// </summary>
    private async Task RemoveOwnWorkloadsAsync()
    {
        var manager = Services.GetRequiredService<Portal.Core.Containers.IContainerManager>();
        var installation = Services.GetRequiredService<Portal.Core.Configuration.InstallationId>().Value;
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            foreach (var workload in await manager.ListOwnedAsync(patience.Token))
                if (workload.Labels.GetValueOrDefault(Portal.Core.Containers.PortalLabels.Installation) == installation)
                    await manager.RemoveAsync(workload.Id, patience.Token);
        }
        // A fault test may have stopped the engine: its workloads went with it, and nothing else is left to do.
        catch (Exception e) when (e is Portal.Core.Errors.PortalException or OperationCanceledException or HttpRequestException or IOException) { }
    }
}
