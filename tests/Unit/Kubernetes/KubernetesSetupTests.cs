using Portal.Core.Containers;
using Portal.Orchestration.Kubernetes;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Kubernetes;

/// <summary>
/// Kubeconfig shapes met in the wild, read by the official client through the portal's setup: several contexts,
/// embedded certificates, files relative to the kubeconfig, token files, plugins we cannot run, and the problems
/// the portal names before the client would fail on them.
/// </summary>
public sealed class KubernetesSetupTests : IDisposable
{
    private readonly TempDir _dir = new();

    private static string B64(string text) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text));

    private k8s.KubernetesClientConfiguration Load(string yaml, string? context = null)
    {
        var path = Path.Combine(_dir.Path, $"kubeconfig-{Guid.NewGuid():N}");
        File.WriteAllText(path, yaml);
        return KubernetesSetup.Configuration(path, context, new Dictionary<string, string?>(), "/nonexistent");
    }

    private string Problem(string yaml) => Assert.Throws<ContainerManagerException>(() => Load(yaml)).Message;

    [Fact]
    public void Several_contexts_pick_the_current_one_unless_one_is_named()
    {
        const string yaml = """
            apiVersion: v1
            kind: Config
            current-context: dev
            clusters:
            - name: dev-cluster
              cluster: {server: "https://dev.example.com:6443", insecure-skip-tls-verify: true}
            - name: prod-cluster
              cluster: {server: "https://prod.example.com", tls-server-name: api.prod.internal}
            users:
            - name: alice
              user: {token: alice-token}
            - name: robot
              user: {username: robot, password: s3cret}
            contexts:
            - name: dev
              context: {cluster: dev-cluster, user: alice, namespace: ml-dev}
            - name: prod
              context: {cluster: prod-cluster, user: robot}
            """;
        var dev = Load(yaml);
        Assert.Equal(("dev", "https://dev.example.com:6443", "ml-dev", "alice-token", true),
            (dev.CurrentContext, dev.Host.TrimEnd('/'), dev.Namespace, dev.AccessToken, dev.SkipTlsVerify));
        var prod = Load(yaml, "prod");
        Assert.Equal(("robot", "s3cret", null, "api.prod.internal", false), (prod.Username, prod.Password, prod.Namespace, prod.TlsServerName, prod.SkipTlsVerify));

        var missing = Assert.Throws<ContainerManagerException>(() => Load(yaml, "staging"));
        Assert.Contains("has no context 'staging'; its contexts are: dev, prod", missing.Message);
    }

    [Fact]
    public async Task Embedded_certificates_and_files_relative_to_the_kubeconfig_are_read()
    {
        var certs = new TestCertificates();
        var embedded = Load($"""
            current-context: c
            clusters: [{"{"}name: k, cluster: {"{"}server: "https://10.0.0.1:6443", certificate-authority-data: {B64(certs.CaPem)}{"}"}{"}"}]
            users: [{"{"}name: u, user: {"{"}client-certificate-data: {B64(certs.ClientCertPem)}, client-key-data: {B64(certs.ClientKeyPem)}{"}"}{"}"}]
            contexts: [{"{"}name: c, context: {"{"}cluster: k, user: u{"}"}{"}"}]
            """);
        Assert.Equal("CN=test-cluster-ca", Assert.Single(embedded.SslCaCerts!).Subject);
        // The client presents them over TLS in KubeClusterTests; here they are what the kubeconfig holds.
        Assert.Equal((B64(certs.ClientCertPem), B64(certs.ClientKeyPem)), (embedded.ClientCertificateData, embedded.ClientCertificateKeyData));

        Directory.CreateDirectory(Path.Combine(_dir.Path, "pki"));
        File.WriteAllText(Path.Combine(_dir.Path, "pki", "ca.crt"), certs.CaPem);
        File.WriteAllText(Path.Combine(_dir.Path, "pki", "client.crt"), certs.ClientCertPem);
        File.WriteAllText(Path.Combine(_dir.Path, "pki", "client.key"), certs.ClientKeyPem);
        File.WriteAllText(Path.Combine(_dir.Path, "token"), "from-a-file\n");
        var yaml = """
            current-context: c
            clusters: [{name: k, cluster: {server: "https://10.0.0.1:6443", certificate-authority: pki/ca.crt}}]
            users:
            - {name: u, user: {client-certificate: pki/client.crt, client-key: pki/client.key}}
            - {name: t, user: {tokenFile: token}}
            contexts: [{name: c, context: {cluster: k, user: u}}, {name: t, context: {cluster: k, user: t}}]
            """;
        var files = Load(yaml);
        Assert.Equal((Path.Combine(_dir.Path, "pki", "client.crt"), Path.Combine(_dir.Path, "pki", "client.key")),
            (files.ClientCertificateFilePath, files.ClientKeyFilePath));
        Assert.Equal("CN=test-cluster-ca", Assert.Single(files.SslCaCerts!).Subject);
        var tokenFile = Load(yaml, "t");
        Assert.NotNull(tokenFile.TokenProvider);
        var header = await tokenFile.TokenProvider!.GetAuthenticationHeaderAsync(CancellationToken.None);
        Assert.Equal("Bearer from-a-file", header.ToString());
    }

    [Fact]
    public void Problems_say_which_entry_and_what_to_do()
    {
        Assert.Contains("has no current-context; set kube.context to one of: a",
            Problem("clusters: [{name: k, cluster: {server: 'https://x'}}]\ncontexts: [{name: a, context: {cluster: k}}]"));
        Assert.Contains("uses cluster 'gone', which is not in its clusters (k)",
            Problem("current-context: a\nclusters: [{name: k, cluster: {server: 'https://x'}}]\ncontexts: [{name: a, context: {cluster: gone}}]"));
        Assert.Contains("no usable server address",
            Problem("current-context: a\nclusters: [{name: k, cluster: {server: 'x:6443'}}]\ncontexts: [{name: a, context: {cluster: k}}]"));
        Assert.Contains("exec or auth-provider plugin",
            Problem("current-context: a\nclusters: [{name: k, cluster: {server: 'https://x'}}]\nusers: [{name: u, user: {exec: {command: aws}}}]\n" +
                    "contexts: [{name: a, context: {cluster: k, user: u}}]"));
        Assert.Contains("has a client certificate but no client key",
            Problem($"current-context: a\nclusters: [{{name: k, cluster: {{server: 'https://x'}}}}]\nusers: [{{name: u, user: " +
                    $"{{client-certificate-data: {B64(new TestCertificates().ClientCertPem)}}}}}]\ncontexts: [{{name: a, context: {{cluster: k, user: u}}}}]"));
        Assert.Contains("not valid YAML", Problem("clusters: [unclosed"));
        Assert.Contains("does not exist", Assert.Throws<ContainerManagerException>(() =>
            KubernetesSetup.Configuration("/nowhere/config", null, new Dictionary<string, string?>(), "/")).Message);
    }

    [Fact]
    public async Task In_cluster_configuration_uses_the_service_account_files_and_reads_a_rotated_token()
    {
        File.WriteAllText(Path.Combine(_dir.Path, "token"), "sa-token");
        File.WriteAllText(Path.Combine(_dir.Path, "ca.crt"), new TestCertificates().CaPem);
        File.WriteAllText(Path.Combine(_dir.Path, "namespace"), "portal\n");
        var c = KubernetesSetup.InCluster("10.96.0.1", "443", _dir.Path);
        Assert.Equal(("https://10.96.0.1/", "portal"), (c.Host, c.Namespace));
        Assert.Single(c.SslCaCerts!);
        Assert.Equal("Bearer sa-token", (await c.TokenProvider!.GetAuthenticationHeaderAsync(CancellationToken.None)).ToString());
        Assert.Contains("service account", Assert.Throws<ContainerManagerException>(() => KubernetesSetup.InCluster("10.96.0.1", "443", "/nonexistent")).Message);
        // Without kube.kubeconfig, the pod's variables choose the service account (whose files are not on this machine).
        Assert.Contains(KubernetesSetup.ServiceAccountDir, Assert.Throws<ContainerManagerException>(() => KubernetesSetup.Configuration(
            null, null, new Dictionary<string, string?> { ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1" }, "/")).Message);
    }

    public void Dispose() => _dir.Dispose();
}
