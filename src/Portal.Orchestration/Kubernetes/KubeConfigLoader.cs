using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Portal.Core.Containers;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Portal.Orchestration.Kubernetes;

/// <summary>
/// Reads a kubeconfig the way kubectl does (contexts, clusters, users; tokens, client certificates, CA data or files
/// relative to the kubeconfig, the insecure flag) or the in-cluster service account. Every problem says which file,
/// which entry and what to do.
/// </summary>
public static class KubeConfigLoader
{
    public const string ServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>
    /// <paramref name="kubeconfig"/> when given; else in-cluster when the pod's variables say so; else $KUBECONFIG's
    /// first file or ~/.kube/config.
    /// </summary>
    public static KubeConnection Load(string? kubeconfig, string? context, IReadOnlyDictionary<string, string?> environment, string home)
    {
        if (string.IsNullOrWhiteSpace(kubeconfig) && environment.GetValueOrDefault("KUBERNETES_SERVICE_HOST") is { Length: > 0 } host)
            return InCluster(host, environment.GetValueOrDefault("KUBERNETES_SERVICE_PORT") ?? "443", ServiceAccountDir);
        var path = !string.IsNullOrWhiteSpace(kubeconfig) ? kubeconfig
            : environment.GetValueOrDefault("KUBECONFIG") is { Length: > 0 } list ? list.Split(Path.PathSeparator)[0]
            : Path.Combine(home, ".kube", "config");
        if (path.StartsWith("~/", StringComparison.Ordinal)) path = Path.Combine(home, path[2..]);
        if (!File.Exists(path))
            throw new ContainerManagerException($"The kubeconfig '{path}' does not exist. Set kube.kubeconfig to the file kubectl uses, or run the portal in the cluster with a service account.");
        return Parse(File.ReadAllText(path), Path.GetDirectoryName(Path.GetFullPath(path))!, context, path);
    }

    /// <summary>The service account mounted into a pod: token (re-read as it rotates), CA and namespace files.</summary>
    public static KubeConnection InCluster(string host, string port, string directory)
    {
        var token = Path.Combine(directory, "token");
        if (!File.Exists(token))
            throw new ContainerManagerException($"In-cluster configuration: {token} is missing. Give the portal's pod a service account (automountServiceAccountToken), or set kube.kubeconfig.");
        var ca = Path.Combine(directory, "ca.crt");
        var ns = Path.Combine(directory, "namespace");
        var server = new Uri($"https://{(host.Contains(':') ? $"[{host}]" : host)}:{port}");
        return new KubeConnection(server, "in-cluster", File.Exists(ns) ? File.ReadAllText(ns).Trim() : null, null, token, null, null, null,
            File.Exists(ca) ? Authorities(File.ReadAllText(ca), $"{ca}") : null, false, null);
    }

    /// <summary>Reads kubeconfig text; file references are relative to <paramref name="baseDirectory"/>.</summary>
    public static KubeConnection Parse(string yaml, string baseDirectory, string? context, string origin)
    {
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            root = stream.Documents.FirstOrDefault()?.RootNode as YamlMappingNode
                ?? throw new ContainerManagerException($"{origin} is not a kubeconfig: it holds no mapping.");
        }
        catch (YamlException e)
        {
            throw new ContainerManagerException($"{origin} is not valid YAML (line {e.Start.Line}): {(e.InnerException?.Message ?? e.Message).Trim()}");
        }

        var contexts = Named(root, "contexts", "context");
        var name = !string.IsNullOrWhiteSpace(context) ? context : Scalar(root, "current-context");
        if (string.IsNullOrWhiteSpace(name))
            throw new ContainerManagerException($"{origin} has no current-context; set kube.context to one of: {Known(contexts)}.");
        if (!contexts.TryGetValue(name, out var ctx))
            throw new ContainerManagerException($"{origin} has no context '{name}'; its contexts are: {Known(contexts)}.");

        var clusterName = Scalar(ctx, "cluster") ?? throw new ContainerManagerException($"Context '{name}' in {origin} names no cluster.");
        var clusters = Named(root, "clusters", "cluster");
        if (!clusters.TryGetValue(clusterName, out var cluster))
            throw new ContainerManagerException($"Context '{name}' in {origin} uses cluster '{clusterName}', which is not in its clusters ({Known(clusters)}).");
        var userName = Scalar(ctx, "user");
        var users = Named(root, "users", "user");
        YamlMappingNode user = new();
        if (userName is not null && !users.TryGetValue(userName, out user!))
            throw new ContainerManagerException($"Context '{name}' in {origin} uses user '{userName}', which is not in its users ({Known(users)}).");

        var serverText = Scalar(cluster, "server");
        if (!Uri.TryCreate(serverText, UriKind.Absolute, out var server) || server.Scheme is not ("https" or "http"))
            throw new ContainerManagerException($"Cluster '{clusterName}' in {origin} has no usable server address ('{serverText}'); write it as https://host:6443.");

        if (user.Children.ContainsKey(new YamlScalarNode("exec")) || user.Children.ContainsKey(new YamlScalarNode("auth-provider")))
            throw new ContainerManagerException($"User '{userName}' in {origin} signs in through an exec or auth-provider plugin (cloud CLIs), which the portal does not run. " +
                                                "Give the portal a service-account token instead (see deploy/kubernetes/portal-rbac.yaml).");

        string? Read(YamlMappingNode node, string key, string what) =>
            Scalar(node, key + "-data") is { } data ? Decode(data, $"{what} ({key}-data) in {origin}")
            : Scalar(node, key) is { } file ? ReadFile(Resolve(baseDirectory, file), $"{what} of '{userName ?? clusterName}' in {origin}")
            : null;

        var caPem = Read(cluster, "certificate-authority", "the certificate authority");
        var certPem = Read(user, "client-certificate", "the client certificate");
        var keyPem = Read(user, "client-key", "the client key");
        X509Certificate2? clientCertificate = null;
        if (certPem is not null || keyPem is not null)
        {
            if (certPem is null || keyPem is null)
                throw new ContainerManagerException($"User '{userName}' in {origin} has a client {(certPem is null ? "key" : "certificate")} but no client {(certPem is null ? "certificate" : "key")}; both are needed.");
            try { clientCertificate = X509Certificate2.CreateFromPem(certPem, keyPem); }
            catch (CryptographicException e) { throw new ContainerManagerException($"The client certificate and key of user '{userName}' in {origin} cannot be read together: {e.Message}"); }
        }

        var tokenFile = Scalar(user, "tokenFile");
        return new KubeConnection(
            server, name, Scalar(ctx, "namespace"),
            Scalar(user, "token"), tokenFile is null ? null : Resolve(baseDirectory, tokenFile),
            Scalar(user, "username"), Scalar(user, "password"),
            clientCertificate,
            caPem is null ? null : Authorities(caPem, $"the certificate authority of cluster '{clusterName}' in {origin}"),
            Scalar(cluster, "insecure-skip-tls-verify") is "true",
            Scalar(cluster, "tls-server-name"));
    }

    private static Dictionary<string, YamlMappingNode> Named(YamlMappingNode root, string list, string item)
    {
        var found = new Dictionary<string, YamlMappingNode>(StringComparer.Ordinal);
        if (!root.Children.TryGetValue(new YamlScalarNode(list), out var node) || node is not YamlSequenceNode sequence) return found;
        foreach (var entry in sequence.OfType<YamlMappingNode>())
            if (Scalar(entry, "name") is { } name && entry.Children.TryGetValue(new YamlScalarNode(item), out var body))
                found[name] = body as YamlMappingNode ?? new YamlMappingNode();
        return found;
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode { Value: { Length: > 0 } s } ? s : null;

    private static string Known<T>(Dictionary<string, T> entries) => entries.Count == 0 ? "none" : string.Join(", ", entries.Keys.Order());

    private static string Resolve(string baseDirectory, string file) => Path.IsPathRooted(file) ? file : Path.GetFullPath(Path.Combine(baseDirectory, file));

    private static string Decode(string base64, string what)
    {
        try { return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64)); }
        catch (FormatException) { throw new ContainerManagerException($"{char.ToUpperInvariant(what[0])}{what[1..]} is not base64."); }
    }

    private static string ReadFile(string path, string what) =>
        File.Exists(path) ? File.ReadAllText(path) : throw new ContainerManagerException($"The file '{path}' ({what}) does not exist.");

    private static X509Certificate2Collection Authorities(string pem, string what)
    {
        var collection = new X509Certificate2Collection();
        try { collection.ImportFromPem(pem); }
        catch (CryptographicException e) { throw new ContainerManagerException($"{char.ToUpperInvariant(what[0])}{what[1..]} is not a PEM certificate: {e.Message}"); }
        if (collection.Count == 0) throw new ContainerManagerException($"{char.ToUpperInvariant(what[0])}{what[1..]} holds no PEM certificate.");
        return collection;
    }
}
