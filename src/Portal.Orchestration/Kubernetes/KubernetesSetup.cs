using k8s;
using k8s.Authentication;
using k8s.Exceptions;
using k8s.KubeConfigModels;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Portal.Orchestration.Kubernetes;

/// <summary>
/// The connection the <c>kube</c> settings describe, made by the official client: kube.kubeconfig and kube.context
/// (read as kubectl reads them: contexts, clusters, users, data or files relative to the kubeconfig), or the pod's
/// service account. Before the client sees a kubeconfig, the portal checks what kubectl would only fail on later
/// and says which file, which entry and what to do; exec and auth-provider plugins are refused, as the portal does
/// not run the cloud CLIs they call.
/// </summary>
public static class KubernetesSetup
{
    public const string ServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

    public static KubeCluster Connect(PortalConfig config)
    {
        var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value);
        var settings = Configuration(config.Kube.Kubeconfig, config.Kube.Context, environment,
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
        return Connect(settings, TimeSpan.FromSeconds(config.ContainerManager.ApiTimeout));
    }

    public static KubeCluster Connect(KubernetesClientConfiguration settings, TimeSpan apiTimeout)
    {
        // Watches and log follows last as long as the work; KubeCluster applies api_timeout to each call instead.
        settings.HttpClientTimeout = Timeout.InfiniteTimeSpan;
        return new KubeCluster(new k8s.Kubernetes(settings), settings.Host, settings.Namespace, apiTimeout);
    }

    /// <summary>
    /// <paramref name="kubeconfig"/> when given; else in-cluster when the pod's variables say so; else $KUBECONFIG's
    /// first file or ~/.kube/config.
    /// </summary>
    public static KubernetesClientConfiguration Configuration(
        string? kubeconfig, string? context, IReadOnlyDictionary<string, string?> environment, string home)
    {
        if (string.IsNullOrWhiteSpace(kubeconfig) && environment.GetValueOrDefault("KUBERNETES_SERVICE_HOST") is { Length: > 0 } host)
            return InCluster(host, environment.GetValueOrDefault("KUBERNETES_SERVICE_PORT") ?? "443", ServiceAccountDir);
        var path = !string.IsNullOrWhiteSpace(kubeconfig) ? kubeconfig
            : environment.GetValueOrDefault("KUBECONFIG") is { Length: > 0 } list ? list.Split(Path.PathSeparator)[0]
            : Path.Combine(home, ".kube", "config");
        if (path.StartsWith("~/", StringComparison.Ordinal)) path = Path.Combine(home, path[2..]);
        if (!File.Exists(path))
            throw new ContainerManagerException($"The kubeconfig '{path}' does not exist. Set kube.kubeconfig to the file kubectl uses, " +
                "or run the portal in the cluster with a service account.");
        return FromFile(Path.GetFullPath(path), context);
    }

    /// <summary>
    /// The service account mounted into a pod, as the client's own in-cluster configuration reads it, from
    /// <paramref name="directory"/>: the token (read again as it rotates), the CA and the namespace.
    /// </summary>
    public static KubernetesClientConfiguration InCluster(string host, string port, string directory)
    {
        var token = Path.Combine(directory, "token");
        if (!File.Exists(token))
            throw new ContainerManagerException($"In-cluster configuration: {token} is missing. Give the portal's pod a service account " +
                "(automountServiceAccountToken), or set kube.kubeconfig.");
        var ca = Path.Combine(directory, "ca.crt");
        var ns = Path.Combine(directory, "namespace");
        return new KubernetesClientConfiguration
        {
            Host = new UriBuilder("https", host, int.Parse(port, System.Globalization.CultureInfo.InvariantCulture)).Uri.ToString(),
            TokenProvider = new TokenFileAuth(token),
            SslCaCerts = File.Exists(ca) ? Authorities(ca) : null,
            Namespace = File.Exists(ns) ? File.ReadAllText(ns).Trim() : null,
        };
    }

    private static KubernetesClientConfiguration FromFile(string path, string? context)
    {
        K8SConfiguration file;
        try { file = KubernetesClientConfiguration.LoadKubeConfig(path, useRelativePaths: true); }
        catch (YamlException e)
        {
            throw new ContainerManagerException($"{path} is not valid YAML (line {e.Start.Line}): {(e.InnerException?.Message ?? e.Message).Trim()}");
        }
        var (name, user) = Check(file, context, path);
        // kubectl's tokenFile, which the client's kubeconfig model does not read: the token is given to the client (which
        // otherwise refuses a user without credentials), and the file is read again as it changes.
        var tokenFile = TokenFile(path, user) is { } f ? Path.IsPathRooted(f) ? f : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, f)) : null;
        if (tokenFile is not null && file.Users.First(u => u.Name == user).UserCredentials is { Token: null } credentials)
        {
            if (!File.Exists(tokenFile))
                throw new ContainerManagerException($"The file '{tokenFile}' (the token of user '{user}' in {path}) does not exist.");
            credentials.Token = File.ReadAllText(tokenFile).Trim();
        }
        KubernetesClientConfiguration settings;
        try { settings = KubernetesClientConfiguration.BuildConfigFromConfigObject(file, name); }
        catch (Exception e) when (e is KubeConfigException or FileNotFoundException or DirectoryNotFoundException or FormatException
                                   or System.Security.Cryptography.CryptographicException)
        {
            throw new ContainerManagerException($"The kubeconfig {path} (context '{name}') cannot be used: {e.Message}");
        }
        if (tokenFile is not null) settings.TokenProvider = new TokenFileAuth(tokenFile);
        return settings;
    }

    /// <summary>The context to use and its user's name, after the checks that name the entry at fault.</summary>
    private static (string Context, string? User) Check(K8SConfiguration file, string? context, string origin)
    {
        var contexts = (file.Contexts ?? []).Where(c => c.Name is not null).ToDictionary(c => c.Name, StringComparer.Ordinal);
        var name = !string.IsNullOrWhiteSpace(context) ? context : file.CurrentContext;
        if (string.IsNullOrWhiteSpace(name))
            throw new ContainerManagerException($"{origin} has no current-context; set kube.context to one of: {Known(contexts.Keys)}.");
        if (!contexts.TryGetValue(name, out var ctx))
            throw new ContainerManagerException($"{origin} has no context '{name}'; its contexts are: {Known(contexts.Keys)}.");
        var clusterName = ctx.ContextDetails?.Cluster ?? throw new ContainerManagerException($"Context '{name}' in {origin} names no cluster.");
        var clusters = (file.Clusters ?? []).Where(c => c.Name is not null).ToDictionary(c => c.Name, StringComparer.Ordinal);
        if (!clusters.TryGetValue(clusterName, out var cluster))
            throw new ContainerManagerException(
                $"Context '{name}' in {origin} uses cluster '{clusterName}', which is not in its clusters ({Known(clusters.Keys)}).");
        var server = cluster.ClusterEndpoint?.Server;
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            throw new ContainerManagerException(
                $"Cluster '{clusterName}' in {origin} has no usable server address ('{server}'); write it as https://host:6443.");
        var userName = ctx.ContextDetails.User;
        if (userName is null) return (name, null);
        var users = (file.Users ?? []).Where(u => u.Name is not null).ToDictionary(u => u.Name, StringComparer.Ordinal);
        if (!users.TryGetValue(userName, out var user))
            throw new ContainerManagerException($"Context '{name}' in {origin} uses user '{userName}', which is not in its users ({Known(users.Keys)}).");
        var credentials = user.UserCredentials ?? new UserCredentials();
        if (credentials.ExternalExecution is not null || credentials.AuthProvider is not null)
            throw new ContainerManagerException(
                $"User '{userName}' in {origin} signs in through an exec or auth-provider plugin (cloud CLIs), which the portal does not run. " +
                "Give the portal a service-account token instead (see deploy/kubernetes/portal-rbac.yaml).");
        var hasCertificate = credentials.ClientCertificateData is not null || credentials.ClientCertificate is not null;
        var hasKey = credentials.ClientKeyData is not null || credentials.ClientKey is not null;
        if (hasCertificate != hasKey)
            throw new ContainerManagerException($"User '{userName}' in {origin} has a client {(hasCertificate ? "certificate" : "key")} " +
                $"but no client {(hasCertificate ? "key" : "certificate")}; both are needed.");
        return (name, userName);
    }

    /// <summary>The <c>tokenFile</c> of a user in the kubeconfig's own text.</summary>
    private static string? TokenFile(string path, string? user)
    {
        if (user is null) return null;
        var yaml = new YamlStream();
        using (var reader = File.OpenText(path)) yaml.Load(reader);
        if (yaml.Documents.FirstOrDefault()?.RootNode is not YamlMappingNode root
            || !root.Children.TryGetValue(new YamlScalarNode("users"), out var users) || users is not YamlSequenceNode list) return null;
        return list.OfType<YamlMappingNode>()
            .Where(u => u.Children.TryGetValue(new YamlScalarNode("name"), out var n) && (n as YamlScalarNode)?.Value == user)
            .Select(u => u.Children.TryGetValue(new YamlScalarNode("user"), out var body) ? body as YamlMappingNode : null)
            .Select(b => b is not null && b.Children.TryGetValue(new YamlScalarNode("tokenFile"), out var f) ? (f as YamlScalarNode)?.Value : null)
            .FirstOrDefault(f => !string.IsNullOrWhiteSpace(f));
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2Collection Authorities(string pemFile)
    {
        var collection = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        collection.ImportFromPemFile(pemFile);
        return collection;
    }

    private static string Known(IEnumerable<string> names) => names.Any() ? string.Join(", ", names.Order(StringComparer.Ordinal)) : "none";
}
