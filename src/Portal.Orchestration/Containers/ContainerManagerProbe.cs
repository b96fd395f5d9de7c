using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Orchestration.Docker;
using Portal.Orchestration.Kubernetes;
using Portal.Orchestration.Local;
using Portal.Orchestration.Swarm;

namespace Portal.Orchestration.Containers;

/// <summary>Builds a throw-away manager of the candidate's type and asks it what the running one would: can work run there?</summary>
public sealed class ContainerManagerProbe(PortalPaths paths) : IContainerManagerProbe
{
    public async Task<ConnectionReport> ProbeAsync(PortalConfig candidate, CancellationToken ct)
    {
        var cm = candidate.ContainerManager;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(cm.ApiTimeout + 5));
        try
        {
            switch (cm.Type)
            {
                case "local":
                    await using (var local = new LocalProcessManager(candidate, paths))
                        return Report(cm.Type, await local.CheckAsync(timeout.Token), null);
                case "swarm" or "docker":
                    using (var docker = new DockerEngine(candidate.Docker.DaemonAddress, TimeSpan.FromSeconds(cm.ApiTimeout)))
                    {
                        var (network, user) = (new WorkNetwork(docker, candidate), new ContainerUser(candidate, paths));
                        IContainerManager manager = cm.Type == "swarm"
                            ? new SwarmManager(docker, network, user) : new DockerContainerManager(docker, network, user);
                        var health = await manager.CheckAsync(timeout.Token);
                        return Report(cm.Type, health, health.Ready ? (await manager.ListOwnedAsync(timeout.Token)).Count : null);
                    }
                case "kube":
                    using (var client = KubernetesSetup.Connect(candidate))
                    await using (var kube = new KubernetesManager(client, new KubeManifests(candidate.Kube, candidate.Docker.RegistrySecret, paths.DataDir)))
                    {
                        var health = await kube.CheckAsync(timeout.Token);
                        return Report(cm.Type, health, health.Ready ? (await kube.ListOwnedAsync(timeout.Token)).Count : null);
                    }
                default:
                    return new ConnectionReport(cm.Type, false, $"'{cm.Type}' is not a container manager.", ["Use local, docker, swarm or kube."], null);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new ConnectionReport(cm.Type, false, $"No answer within {cm.ApiTimeout + 5} s.", ["The engine did not answer in time: check the address and that nothing blocks the way (container_manager.api_timeout)."], null);
        }
        catch (ContainerManagerException e)
        {
            return new ConnectionReport(cm.Type, false, "The engine could not be reached.", [e.Message], null);
        }
    }

    private static ConnectionReport Report(string type, ManagerHealth health, int? workloads) => new(type, health.Ready, health.Summary, health.Problems, workloads);
}
