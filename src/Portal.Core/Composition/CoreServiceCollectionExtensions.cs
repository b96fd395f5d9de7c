using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Core.Builds;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Core.Logs;
using Portal.Core.Persistence;
using Portal.Core.Security;
using Portal.Core.Services;
using Portal.Core.Notifications;
using Portal.Core.Trainings;
using Portal.Core.Storage;
using Portal.Core.Stores;

namespace Portal.Core.Composition;

public static class CoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers the configuration, the metadata store (SQLite), the file store and the use-case services.
    /// <paramref name="baseline"/> says what the configuration was before saved settings were laid over it (none saved when null).
    /// </summary>
    public static IServiceCollection AddPortalCore(this IServiceCollection services, PortalConfig config, PortalPaths paths, Settings.SettingsBaseline? baseline = null)
    {
        Directory.CreateDirectory(paths.DataDir);
        services.AddSingleton(config);
        services.AddSingleton(baseline ?? Settings.SettingsBaseline.Start(config, new Dictionary<string, string>()));
        services.AddSingleton(paths);
        services.AddSingleton<InstallationId>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<AuditInterceptor>();
        var store = MetadataStore.From(config, paths);
        services.AddSingleton(store);
        services.AddDbContextFactory<PortalDbContext>((sp, o) => store.Use(o).AddInterceptors(sp.GetRequiredService<AuditInterceptor>()));
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<MetadataStoreProbe>();
        services.AddSingleton<FileStoreProbe>();
        services.AddSingleton<Security.HostPaths>();
        services.AddSingleton<IProjectStore, EfProjectStore>();
        services.AddSingleton<IModelStore, EfModelStore>();
        services.AddSingleton<IDatasetStore, EfDatasetStore>();
        services.AddSingleton(sp => FileStores.Create(config.FileStore, paths, sp.GetRequiredService<CredentialVault>()));
        services.AddSingleton<UploadLimits>();
        services.AddSingleton<ITrainingStore, EfTrainingStore>();
        services.AddSingleton<TaskLogBook>();
        services.AddSingleton<ResourceProfiles>();
        services.AddSingleton(typeof(ChangeFeed<>));
        services.AddSingleton<PortalEvents>();
        services.AddSingleton<WorkloadLabels>();
        services.AddSingleton<TrainingWorkspace>();
        services.AddSingleton<TrainingResults>();
        services.AddSingleton<Batch.ScoredOutput>();
        services.AddSingleton<Batch.BatchJobValidator>();
        services.AddSingleton<Batch.BatchJobService>();
        services.AddSingleton<TrainingLaunchValidator>();
        services.AddSingleton<TrainingSpecFactory>();
        services.AddSingleton<TrainingSupervisor>();
        services.AddSingleton<Storage.ArtifactRepair>();
        services.AddSingleton<Reconciliation.WorkloadReconciler>();
        services.AddSingleton<IBuildStore, EfBuildStore>();
        services.AddSingleton<IPackageStore, EfPackageStore>();
        services.AddSingleton<IModelVersionStore, EfModelVersionStore>();
        services.AddSingleton<ModelVersionService>();
        services.AddSingleton<IDeploymentStore, EfDeploymentStore>();
        services.AddSingleton<IPredictionStore, EfPredictionStore>();
        services.AddSingleton<Deployments.DeploymentValidator>();
        services.AddSingleton<Deployments.DeploymentSpecFactory>();
        services.AddSingleton<Deployments.DeploymentService>();
        services.AddSingleton<Deployments.PredictionHistory>();
        services.AddSingleton<Deployments.LiveAccuracy>();
        services.AddSingleton<Deployments.AccuracyAlerts>();
        services.AddSingleton<IRouteStore, EfRouteStore>();
        services.AddSingleton<ISweepStore, EfSweepStore>();
        services.AddSingleton<IScheduleStore, EfScheduleStore>();
        services.AddSingleton<Routes.RouteService>();
        services.AddSingleton<Routes.RouteTable>();
        services.AddSingleton<IWebhookStore, EfWebhookStore>();
        services.AddSingleton<IMetricStore, EfMetricStore>();
        services.AddSingleton<Webhooks.WebhookService>();
        services.AddSingleton<IIdeSessionStore, EfIdeSessionStore>();
        services.AddSingleton<ISettingsStore, EfSettingsStore>();
        services.AddSingleton<ILineageStore, EfLineageStore>();
        services.AddSingleton<Lineage.LineageService>();
        services.AddSingleton<IDashboardStore, EfDashboardStore>();
        services.AddSingleton<Dashboards.TeamDashboardService>();
        services.AddSingleton<Settings.PortalSettings>();
        services.AddSingleton<Ide.IdeImageCatalog>();
        services.AddSingleton<Ide.IdeStorage>();
        services.AddSingleton<Ide.IdeRequestValidator>();
        services.AddSingleton<Ide.IdeSpecFactory>();
        services.AddSingleton<Ide.IdeService>();
        services.AddSingleton<ProjectImages>();
        services.AddSingleton<BuildValidator>();
        services.AddSingleton<BuildRunner>();
        services.AddSingleton<ProjectBuilder>();
        services.AddSingleton<Packages.PackageValidator>();
        services.AddSingleton<Packages.PackageService>();
        services.AddSingleton<TrainingService>();
        services.AddSingleton<Sweeps.SweepSupervisor>();
        services.AddSingleton<Sweeps.SweepService>();
        // The schedules' clock: the system's, unless a test controls it.
        services.TryAddKeyedSingleton<TimeProvider>(Schedules.ScheduleRunner.ClockKey, (sp, _) => sp.GetRequiredService<TimeProvider>());
        services.AddSingleton<Schedules.ScheduleRunner>();
        services.AddSingleton<Schedules.ScheduleService>();
        services.AddSingleton<TrainingComparison>();
        services.AddSingleton<WorkFiles.WorkGrants>();
        services.AddSingleton<WorkFiles.WorkFilesService>();
        services.AddSingleton<ProjectService>();
        services.AddSingleton<ModelService>();
        services.AddSingleton<DatasetService>();
        services.AddSingleton<IUserStore, EfUserStore>();
        services.AddSingleton<IAccessTokenStore, EfAccessTokenStore>();
        services.AddSingleton<IAuditStore, EfAuditStore>();
        services.AddSingleton<ICredentialStore, EfCredentialStore>();
        services.AddSingleton<IPullCredentialSource, VaultPullCredential>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<UserService>();
        services.AddSingleton<AccessTokenService>();
        services.AddSingleton<CredentialVault>();
        return services;
    }
}
