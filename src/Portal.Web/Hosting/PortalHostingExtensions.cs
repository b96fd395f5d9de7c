using MudBlazor.Services;
using Microsoft.AspNetCore.HttpLogging;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.FileProviders;
using Portal.Core.Composition;
using Portal.Core.Configuration;
using Portal.Core.Persistence;
using Portal.Core.Services;
using Portal.Core.Settings;
using Portal.Orchestration.Composition;
using Portal.Web.Api;
using Portal.Web.Auth;
using Portal.Web.Ide;
using Portal.Web.Router;
using Portal.Web.Components;

namespace Portal.Web.Hosting;

/// <summary>The composition root: what the portal registers and maps, shared by Program and the in-memory host tests.</summary>
public static class PortalHostingExtensions
{
    /// <summary>Default limit for request bodies; the upload endpoints raise it to file_store.max_upload_mb.</summary>
    public const long DefaultMaxRequestBytes = 10 * 1024 * 1024;

    /// <summary>
    /// Composes the portal. <paramref name="storedSettings"/> (from <see cref="StoredSettings.ReadAsync"/>) are laid over
    /// <paramref name="config"/> first: settings saved in the portal take precedence over portal.yaml.
    /// </summary>
    public static WebApplicationBuilder AddPortal(this WebApplicationBuilder builder, PortalConfig config, IReadOnlyDictionary<string, string>? storedSettings = null)
    {
        var baseline = SettingsBaseline.Start(config, storedSettings ?? new Dictionary<string, string>());
        // Package assets (_content/...) are served from the build output in every environment, not only Development.
        builder.WebHost.UseStaticWebAssets();
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = DefaultMaxRequestBytes);
        // IDE sessions get an origin of their own: by default a second port next to each of the portal's.
        var (ideOrigin, urls) = IdeOrigin.Plan(config, builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey));
        builder.WebHost.UseUrls(urls);
        builder.Services.AddSingleton(ideOrigin);
        builder.Services.AddSingleton<IdeTickets>();
        var level = config.Logger.Level switch
        {
            "DEBUG" => LogLevel.Debug,
            "WARN" => LogLevel.Warning,
            "ERROR" => LogLevel.Error,
            _ => LogLevel.Information,
        };
        builder.Logging.SetMinimumLevel(level);
        // Every SQL statement at INFO drowns the log; it is shown only when the portal logs at DEBUG.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", level == LogLevel.Debug ? LogLevel.Debug : LogLevel.Warning);
        // The host's request log writes whole URLs, query strings included, where SignalR clients send access_token.
        // Requests are logged by HTTP logging instead: method, path, status and time, never the query or headers.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        // Every proxied IDE request and every Jupyter status poll would add lines at INFO; problems still show.
        var quiet = level == LogLevel.Debug ? LogLevel.Debug : LogLevel.Warning;
        builder.Logging.AddFilter("Yarp", quiet);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", quiet);
        builder.Services.AddHttpLogging(o =>
        {
            o.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath | HttpLoggingFields.ResponseStatusCode
                | HttpLoggingFields.Duration;
            o.CombineLogs = true;
        });

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var paths = PortalPaths.From(config, home);
        builder.Services.AddPortalCore(config, paths, baseline);
        builder.Services.AddPortalOrchestration(config);
        builder.Services.AddSingleton<IPortalAddress, PortalAddress>();
        builder.Services.AddHostedService<BackgroundWorkService>();
        builder.Services.AddHostedService<ScheduleHost>();
        builder.Services.AddSignalR();
        builder.Services.AddSingleton<Portal.Core.Security.ISecretProtector, DataProtectionSecretProtector>();
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton<Ide.IdeForwarderClient>();
        // Jupyter's status for readiness and culling: short requests, straight to the session.
        builder.Services.AddHttpClient(Ide.IdeProxy.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, ConnectTimeout = TimeSpan.FromSeconds(5) });
        builder.Services.AddHostedService<IdeCuller>();
        builder.Services.AddHealthChecks().AddCheck<StoreHealthCheck>("metadata-store");
        builder.Services.AddSingleton<IdeRoutes>();
        builder.Services.AddSingleton<JupyterStatus>();
        builder.Services.AddSingleton<Router.ReplicaDirectory>();
        builder.Services.AddSingleton<Router.PredictionRecorder>();
        builder.Services.AddSingleton<Router.ModelInvoker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Router.PredictionRecorder>());
        builder.Services.AddSingleton<Router.ShadowCopies>();
        builder.Services.AddSingleton<Router.AccuracyWatch>();
        builder.Services.AddSingleton<Router.ColdStarts>();
        builder.Services.AddSingleton<Router.IdleSleeper>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Router.IdleSleeper>());
        builder.Services.AddHostedService<WebhookSender>();
        // A receiver's redirect is its answer, not an instruction to post the event elsewhere.
        builder.Services.AddHttpClient(WebhookSender.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = TimeSpan.FromSeconds(5) });
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Router.AccuracyWatch>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Router.ShadowCopies>());
        // Replicas are short-lived addresses: pooled connections are recycled so a replaced replica is not reused.
        builder.Services.AddHttpClient(Router.ModelInvoker.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30), ConnectTimeout = TimeSpan.FromSeconds(2) });
        // The key ring lives with the rest of the portal's state, so cookies and protected secrets survive restarts and moves.
        builder.Services.AddDataProtection().SetApplicationName("mlops-portal")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(paths.DataDir, "keys")));

        builder.Services.AddPortalAuth(config);
        builder.Services.AddTrustedProxies(config.Auth);
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddSingleton<CircuitMemory>();
        builder.Services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler, CircuitMemoryHandler>();
        builder.Services.AddMudServices();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<PortalExceptionHandler>();
        builder.Services.Configure<JsonOptions>(o =>
        {
            // snake_case matches portal.yaml and Noronha's field names (home_dir, model_files, max_mb).
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DictionaryKeyPolicy = null;
        });
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new() { Title = "MLOps Portal API", Version = "v1", Description = "Projects, models and datasets of the MLOps portal." });
            OpenApiConventions.Apply(o);
        });
        return builder;
    }

    /// <summary>Applies schema migrations before the portal serves anything.</summary>
    /// <summary>What the embedded default does and does not isolate, said at start-up and on the Settings page.</summary>
    public const string LocalIsolation =
        "container_manager is local: trainings, IDE kernels and model servers run as host processes with a clean environment " +
        "and servers on loopback only. When the portal runs as root they run as an unprivileged account (container_manager." +
        "local_run_as, else portal-work) that cannot read the portal's database or keys; otherwise they run as the portal's own " +
        "user and can. Either way all local work shares one account, so users can read each other's workspaces and datasets: " +
        "use swarm or kube before inviting users you do not trust.";

    public static async Task PreparePortalAsync(this WebApplication app, string? configFile, CancellationToken ct)
    {
        var paths = app.Services.GetRequiredService<PortalPaths>();
        var store = app.Services.GetRequiredService<MetadataStore>();
        var applied = await app.Services.GetRequiredService<SchemaMigrator>().MigrateAsync(store, ct);
        app.Logger.LogInformation("Configuration: {File}; metadata store: {Store}; data directory: {DataDir}; file store: {Files}; schema version {Version}{Applied}",
            configFile ?? "built-in defaults", store.Describe(), paths.DataDir, paths.FileStoreRoot, SchemaMigrator.LatestVersion,
            applied.Count == 0 ? "" : $" (applied {string.Join(", ", applied)})");
        foreach (var problem in app.Services.GetRequiredService<SettingsBaseline>().Problems) app.Logger.LogWarning("{Problem}", problem);
        var repaired = await app.Services.GetRequiredService<Portal.Core.Storage.ArtifactRepair>().RunAsync(ct);
        if (repaired > 0) app.Logger.LogWarning("Removed {Count} half-written artifact folder(s) left by an earlier crash", repaired);
        if (app.Services.GetService<Portal.Orchestration.Local.LocalProcessManager>() is { } local)
        {
            app.Logger.LogWarning("{Isolation}", LocalIsolation);
            try
            {
                var account = local.Account;
                app.Logger.LogInformation("Local user code runs as {Account}", account is null
                    ? "this portal's own user (the portal is not root)"
                    : $"'{account.Name}' (uid {account.Uid}){(account.Created ? ", an account created now for it" : "")}; the data directory is closed to it");
            }
            catch (Portal.Core.Containers.ContainerManagerException e) { app.Logger.LogError("Local user code cannot run: {Problem}", e.Message); }
        }
        var password = await app.Services.GetRequiredService<Portal.Core.Security.UserService>()
            .EnsureFirstAdminAsync(Environment.GetEnvironmentVariable(Portal.Core.Security.UserService.AdminPasswordVariable), ct);
        // Written to the console only, never to a log file: it is shown once, and the first sign-in must change it.
        if (password is not null)
            Console.WriteLine($"""

                ==================================================================
                 First start: sign in as '{Portal.Core.Security.UserService.FirstAdminName}' with the one-time password
                     {password}
                 You will be asked to choose your own password.
                ==================================================================

                """);
    }

    private static readonly string[] NonPagePrefixes = ["/api", "/model", "/feedback", "/hubs", "/ide", "/_", "/assets", "/swagger", "/healthz"];

    private static bool WantsPage(HttpContext c) =>
        HttpMethods.IsGet(c.Request.Method) && c.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.Ordinal)
        && !NonPagePrefixes.Any(p => c.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));

    public static WebApplication MapPortal(this WebApplication app)
    {
        app.UseTrustedProxies(app.Services.GetRequiredService<PortalConfig>().Auth);
        app.UseHttpLogging();
        app.UseExceptionHandler();
        // A browser asking for a page that does not exist gets the portal's not-found page; API clients get problem details.
        app.UseWhen(WantsPage, pages => pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
        app.UseWhen(c => !WantsPage(c), api => api.UseStatusCodePages());
        app.UseMiddleware<SecurityHeaders>();
        app.UseMiddleware<IdeOriginGate>();
        app.UseMiddleware<CrossOriginWebSockets>();
        var ideOrigin = app.Services.GetRequiredService<IdeOrigin>();
        app.Lifetime.ApplicationStarted.Register(() => ideOrigin.Started(
            app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
                .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? []));
        app.UseStaticFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "assets")),
            RequestPath = "/assets",
        });
        app.UseSwagger();
        app.UseSwaggerUI(o => o.DocumentTitle = "MLOps Portal API");
        app.UseWebSockets();
        // Routing after the status code pages, so a re-executed request (the not-found page) is routed again.
        app.UseRouting();
        app.UsePortalAuth();
        app.UseAntiforgery();

        app.MapAccountEndpoints();
        app.MapPortalApi();
        app.MapHealthChecks("/healthz").AllowAnonymous();
        app.MapHub<LogsHub>("/hubs/logs");
        app.MapModelRouter(app.Services.GetRequiredService<PortalConfig>());
        app.MapIdeProxy();
        // The framework would set a policy of only frame-ancestors on every page, and SecurityHeaders keeps a policy it finds:
        // pages get the full one from SecurityHeaders instead.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
        return app;
    }
}
