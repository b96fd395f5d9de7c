using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Core.Builds;
using Portal.Orchestration.Builds;
using Portal.Orchestration.Containers;
using Portal.Orchestration.Docker;
using Portal.Orchestration.Kubernetes;
using Portal.Orchestration.Local;
using Portal.Orchestration.Swarm;

namespace Portal.Orchestration.Composition;

public static class OrchestrationServiceCollectionExtensions
{
    /// <summary>Registers the container manager named by <c>container_manager.type</c>.</summary>
    public static IServiceCollection AddPortalOrchestration(this IServiceCollection services, PortalConfig config)
    {
        switch (config.ContainerManager.Type)
        {
            case "local":
                AddManager<LocalProcessManager>(services);
                services.AddSingleton<IImageBuilder, LocalEngineImageBuilder>();
                services.AddSingleton<IImageFiles>(new NoImageFiles(NoImageFiles.OnLocalProcesses));
                break;
            case "swarm":
                AddDocker(services, config);
                AddManager<SwarmManager>(services);
                break;
            case "docker":
                AddDocker(services, config);
                AddManager<DockerContainerManager>(services);
                break;
            case "kube":
                services.AddSingleton(_ => KubernetesSetup.Connect(config));
                services.AddSingleton(sp => new KubeManifests(config.Kube, config.Docker.RegistrySecret, sp.GetRequiredService<PortalPaths>().DataDir));
                services.AddSingleton<ContainerUser>();
                AddManager(services, sp => new KubernetesManager(sp.GetRequiredService<KubeCluster>(), sp.GetRequiredService<KubeManifests>(),
                    sp.GetRequiredService<IPullCredentialSource>(), sp.GetRequiredService<ContainerUser>()));
                // Images for a cluster are built by CI and pushed to a registry; projects name them as docker repositories.
                services.AddSingleton<IImageBuilder, NoEngineImageBuilder>();
                services.AddSingleton<IImageFiles>(new NoImageFiles(NoImageFiles.OnKubernetes));
                break;
            default:
                throw new ConfigException(new ConfigProblem("container_manager.type",
                    $"'{config.ContainerManager.Type}' is not a container manager; use 'local', 'docker', 'swarm' or 'kube'."));
        }
        services.AddSingleton<IGitClient, GitCli>();
        services.AddSingleton<IContainerManagerProbe, ContainerManagerProbe>();
        return services;
    }

    /// <summary>One instance serves as the manager (each workload watched once, however many follow it) and as its service control.</summary>
    private static void AddManager<T>(IServiceCollection services, Func<IServiceProvider, T>? create = null) where T : class, IContainerManager, IServiceControl
    {
        if (create is null) services.AddSingleton<T>();
        else services.AddSingleton(create);
        services.AddSingleton<IContainerManager>(sp => new WatchSharingManager(sp.GetRequiredService<T>()));
        services.AddSingleton<IServiceControl>(sp => sp.GetRequiredService<T>());
    }

    private static void AddDocker(IServiceCollection services, PortalConfig config)
    {
        services.AddSingleton(_ => new DockerEngine(config.Docker.DaemonAddress, TimeSpan.FromSeconds(config.ContainerManager.ApiTimeout)));
        services.AddSingleton<IImageBuilder, DockerImageBuilder>();
        services.AddSingleton<IImageFiles, DockerImageFiles>();
        services.AddSingleton<WorkNetwork>();
        services.AddSingleton<IWorkNetwork>(sp => sp.GetRequiredService<WorkNetwork>());
        services.AddSingleton<ContainerUser>();
    }
}
