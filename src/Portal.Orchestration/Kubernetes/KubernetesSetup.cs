using Portal.Core.Configuration;

namespace Portal.Orchestration.Kubernetes;

/// <summary>The client the <c>kube</c> settings describe: kube.kubeconfig and kube.context, or the pod's service account.</summary>
public static class KubernetesSetup
{
    public static KubernetesClient Client(PortalConfig config) => new(
        KubeConfigLoader.Load(config.Kube.Kubeconfig, config.Kube.Context,
            Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value),
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)),
        TimeSpan.FromSeconds(config.ContainerManager.ApiTimeout));
}
