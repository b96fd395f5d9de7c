using Portal.Core.Containers;
using Portal.Orchestration.Kubernetes;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Kubernetes;

/// <summary>Kubeconfig shapes met in the wild: several contexts, embedded certificates, files relative to the kubeconfig, token files, plugins we cannot run.</summary>
public sealed class KubeConfigLoaderTests
{
    private static string B64(string text) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text));

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
        var dev = KubeConfigLoader.Parse(yaml, "/tmp", null, "kubeconfig");
        Assert.Equal(("dev", "https://dev.example.com:6443/", "ml-dev", "alice-token", true), (dev.Context, dev.Server.ToString(), dev.Namespace, dev.Token, dev.InsecureSkipTlsVerify));
        var prod = KubeConfigLoader.Parse(yaml, "/tmp", "prod", "kubeconfig");
        Assert.Equal(("robot", "s3cret", null, "api.prod.internal", false), (prod.Username, prod.Password, prod.Namespace, prod.TlsServerName, prod.InsecureSkipTlsVerify));

        var missing = Assert.Throws<ContainerManagerException>(() => KubeConfigLoader.Parse(yaml, "/tmp", "staging", "kubeconfig"));
        Assert.Contains("no context 'staging'; its contexts are: dev, prod", missing.Message);
    }

    [Fact]
    public void Embedded_certificates_and_files_relative_to_the_kubeconfig_are_read()
    {
        var certs = new TestCertificates();
        var embedded = KubeConfigLoader.Parse($"""
            current-context: c
            clusters: [{"{"}name: k, cluster: {"{"}server: "https://10.0.0.1:6443", certificate-authority-data: {B64(certs.CaPem)}{"}"}{"}"}]
            users: [{"{"}name: u, user: {"{"}client-certificate-data: {B64(certs.ClientCertPem)}, client-key-data: {B64(certs.ClientKeyPem)}{"}"}{"}"}]
            contexts: [{"{"}name: c, context: {"{"}cluster: k, user: u{"}"}{"}"}]
            """, "/tmp", null, "kubeconfig");
        Assert.Equal("CN=portal, O=portal", embedded.ClientCertificate!.Subject);
        Assert.True(embedded.ClientCertificate.HasPrivateKey);
        Assert.Equal("CN=test-cluster-ca", Assert.Single(embedded.CertificateAuthorities!).Subject);

        using var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "pki"));
        File.WriteAllText(Path.Combine(dir.Path, "pki", "ca.crt"), certs.CaPem);
        File.WriteAllText(Path.Combine(dir.Path, "pki", "client.crt"), certs.ClientCertPem);
        File.WriteAllText(Path.Combine(dir.Path, "pki", "client.key"), certs.ClientKeyPem);
        File.WriteAllText(Path.Combine(dir.Path, "token"), "from-a-file\n");
        File.WriteAllText(Path.Combine(dir.Path, "config"), """
            current-context: c
            clusters: [{name: k, cluster: {server: "https://10.0.0.1:6443", certificate-authority: pki/ca.crt}}]
            users:
            - {name: u, user: {client-certificate: pki/client.crt, client-key: pki/client.key}}
            - {name: t, user: {tokenFile: token}}
            contexts: [{name: c, context: {cluster: k, user: u}}, {name: t, context: {cluster: k, user: t}}]
            """);
        var files = KubeConfigLoader.Load(Path.Combine(dir.Path, "config"), null, new Dictionary<string, string?>(), "/nonexistent");
        Assert.Equal("CN=portal, O=portal", files.ClientCertificate!.Subject);
        Assert.Equal(Path.Combine(dir.Path, "token"), KubeConfigLoader.Load(Path.Combine(dir.Path, "config"), "t", new Dictionary<string, string?>(), "/").TokenFile);
    }

    [Fact]
    public void Problems_say_which_entry_and_what_to_do()
    {
        string Problem(string yaml) => Assert.Throws<ContainerManagerException>(() => KubeConfigLoader.Parse(yaml, "/tmp", null, "my.kubeconfig")).Message;

        Assert.Contains("has no current-context; set kube.context to one of: a",
            Problem("clusters: [{name: k, cluster: {server: 'https://x'}}]\ncontexts: [{name: a, context: {cluster: k}}]"));
        Assert.Contains("uses cluster 'gone', which is not in its clusters (k)",
            Problem("current-context: a\nclusters: [{name: k, cluster: {server: 'https://x'}}]\ncontexts: [{name: a, context: {cluster: gone}}]"));
        Assert.Contains("no usable server address",
            Problem("current-context: a\nclusters: [{name: k, cluster: {server: 'x:6443'}}]\ncontexts: [{name: a, context: {cluster: k}}]"));
        Assert.Contains("exec or auth-provider plugin",
            Problem("current-context: a\nclusters: [{name: k, cluster: {server: 'https://x'}}]\nusers: [{name: u, user: {exec: {command: aws}}}]\ncontexts: [{name: a, context: {cluster: k, user: u}}]"));
        Assert.Contains("has a client certificate but no client key",
            Problem($"current-context: a\nclusters: [{{name: k, cluster: {{server: 'https://x'}}}}]\nusers: [{{name: u, user: {{client-certificate-data: {B64(new TestCertificates().ClientCertPem)}}}}}]\ncontexts: [{{name: a, context: {{cluster: k, user: u}}}}]"));
        Assert.Contains("not valid YAML", Problem("clusters: [unclosed"));
        Assert.Contains("does not exist", Assert.Throws<ContainerManagerException>(() =>
            KubeConfigLoader.Load("/nowhere/config", null, new Dictionary<string, string?>(), "/")).Message);
    }

    [Fact]
    public void In_cluster_configuration_uses_the_service_account_files()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "token"), "sa-token");
        File.WriteAllText(Path.Combine(dir.Path, "ca.crt"), new TestCertificates().CaPem);
        File.WriteAllText(Path.Combine(dir.Path, "namespace"), "portal\n");
        var c = KubeConfigLoader.InCluster("10.96.0.1", "443", dir.Path);
        Assert.Equal(("https://10.96.0.1/", "portal", Path.Combine(dir.Path, "token"), "in-cluster"), (c.Server.ToString(), c.Namespace, c.TokenFile, c.Context));
        Assert.Single(c.CertificateAuthorities!);
        Assert.Contains("service account", Assert.Throws<ContainerManagerException>(() => KubeConfigLoader.InCluster("10.96.0.1", "443", "/nonexistent")).Message);
    }
}
