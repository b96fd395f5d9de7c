using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Core.Builds;
using Portal.Orchestration.Builds;
using Portal.Orchestration.Docker;
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
                services.AddSingleton<LocalProcessManager>();
                services.AddSingleton<IContainerManager>(sp => sp.GetRequiredService<LocalProcessManager>());
                services.AddSingleton<IImageBuilder, NoEngineImageBuilder>();
                break;
            case "swarm":
                services.AddSingleton(_ => new DockerClient(config.Docker.DaemonAddress, TimeSpan.FromSeconds(config.ContainerManager.ApiTimeout)));
                services.AddSingleton<SwarmManager>();
                services.AddSingleton<IContainerManager>(sp => sp.GetRequiredService<SwarmManager>());
                services.AddSingleton<IImageBuilder, DockerImageBuilder>();
                break;
            default:
                throw new ConfigException(new ConfigProblem("container_manager.type",
                    $"'{config.ContainerManager.Type}' is not available in this version of the portal yet; use 'local' or 'swarm'."));
        }
        services.AddSingleton<IGitClient, GitCli>();
        return services;
    }
}
