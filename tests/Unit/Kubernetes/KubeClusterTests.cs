using System.Net;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Portal.Core.Containers;
using Portal.Orchestration.Kubernetes;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Kubernetes;

/// <summary>
/// The official client as the portal uses it, against a protocol double of the API server (no cluster can run here):
/// compatibility tests of the portal's calls with the API's wire format (CRUD, Status errors, watches with 410, log
/// follow), over HTTP and over TLS with a cluster CA and a client certificate, and the sentences errors become.
/// </summary>
public sealed class KubeClusterTests : IDisposable
{
    private const string Ns = "ml";
    private readonly TempDir _dir = new();

    private static V1Pod Pod(string name, string app = "a") => new()
    {
        ApiVersion = "v1", Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = app } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "busybox" }] },
    };

    private KubeCluster Connect(string kubeconfig, int timeoutSeconds = 5) => KubernetesSetup.Connect(
        KubernetesSetup.Configuration(kubeconfig, null, new Dictionary<string, string?>(), _dir.Path), TimeSpan.FromSeconds(timeoutSeconds));

    private string Kubeconfig(string yaml)
    {
        var path = Path.Combine(_dir.Path, $"kubeconfig-{Guid.NewGuid():N}");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static Task<V1Pod> CreateAsync(KubeCluster cluster, V1Pod pod) =>
        cluster.CallAsync($"creating Pod {pod.Metadata.Name}", (k, t) => k.CoreV1.CreateNamespacedPodAsync(pod, Ns, cancellationToken: t), CancellationToken.None);

    [Fact]
    public async Task Protocol_double_create_get_list_patch_delete_and_the_errors_as_sentences()
    {
        await using var api = await KubeApiDouble.StartAsync();
        using var cluster = Connect(api.Kubeconfig(_dir.Path));
        Assert.Equal(Ns, cluster.ContextNamespace);
        var ct = CancellationToken.None;

        Assert.NotNull((await CreateAsync(cluster, Pod("p1"))).Metadata.Uid);
        await CreateAsync(cluster, Pod("p2", "b"));
        var exists = await Assert.ThrowsAsync<ContainerManagerException>(() => CreateAsync(cluster, Pod("p1")));
        Assert.Equal(409, KubeCluster.CodeOf(exists));
        Assert.Contains("Kubernetes refused creating Pod p1 because of a conflict", exists.Message);

        Assert.Equal("p1", (await cluster.FindAsync("reading", (k, t) => k.CoreV1.ReadNamespacedPodAsync("p1", Ns, cancellationToken: t), ct))!.Metadata.Name);
        Assert.Null(await cluster.FindAsync("reading", (k, t) => k.CoreV1.ReadNamespacedPodAsync("nope", Ns, cancellationToken: t), ct));
        var listed = await cluster.CallAsync("listing", (k, t) => k.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "app=b", cancellationToken: t), ct);
        Assert.Equal("p2", Assert.Single(listed.Items).Metadata.Name);

        var patch = new V1Patch(new { metadata = new { labels = new { app = "b" } } }, V1Patch.PatchType.MergePatch);
        var patched = await cluster.CallAsync("patching", (k, t) => k.CoreV1.PatchNamespacedPodAsync(patch, "p1", Ns, cancellationToken: t), ct);
        Assert.Equal("b", patched.Metadata.Labels["app"]);
        Assert.Contains(api.Requests, r => r.StartsWith("PATCH api/v1/namespaces/ml/pods/p1", StringComparison.Ordinal));
        await cluster.CallAsync("deleting", (k, t) => k.CoreV1.DeleteNamespacedPodAsync("p1", Ns, new V1DeleteOptions { PropagationPolicy = "Background" },
            cancellationToken: t), ct);
        var gone = await Assert.ThrowsAsync<ContainerManagerException>(() =>
            cluster.CallAsync("deleting Pod p1", (k, t) => k.CoreV1.DeleteNamespacedPodAsync("p1", Ns, cancellationToken: t), ct));
        Assert.Equal(404, KubeCluster.CodeOf(gone));

        var invalid = await Assert.ThrowsAsync<ContainerManagerException>(() => CreateAsync(cluster, new V1Pod { Metadata = new V1ObjectMeta() }));
        Assert.Contains("refused creating Pod  as invalid", invalid.Message);
        Assert.Contains("(metadata.name: Required value)", invalid.Message);

        api.Forbidden.Add("create jobs");
        var forbidden = await Assert.ThrowsAsync<ContainerManagerException>(() => cluster.CallAsync("creating Job j",
            (k, t) => k.BatchV1.CreateNamespacedJobAsync(new V1Job { Metadata = new V1ObjectMeta { Name = "j" } }, Ns, cancellationToken: t), ct));
        Assert.Contains("lacks the permission. Grant it in the portal's Role (deploy/kubernetes/portal-rbac.yaml)", forbidden.Message);
        Assert.Contains("cannot create resource \"jobs\"", forbidden.Message);

        using var stranger = Connect(KubeApiDouble.WriteKubeconfig(_dir.Path, api.Server, "token: wrong", Ns));
        var unauthorized = await Assert.ThrowsAsync<ContainerManagerException>(() =>
            stranger.CallAsync("listing pods", (k, t) => k.CoreV1.ListNamespacedPodAsync(Ns, cancellationToken: t), ct));
        Assert.Contains("did not accept the portal's credentials (listing pods)", unauthorized.Message);
    }

    [Fact]
    public async Task Protocol_double_watch_streams_changes_in_order_a_compacted_version_is_gone_and_a_quiet_closed_watch_is_a_failed_read()
    {
        await using var api = await KubeApiDouble.StartAsync();
        using var cluster = Connect(api.Kubeconfig(_dir.Path));
        await CreateAsync(cluster, Pod("before"));
        var from = (await cluster.CallAsync("listing", (k, t) => k.CoreV1.ListNamespacedPodAsync(Ns, cancellationToken: t), CancellationToken.None))
            .Metadata.ResourceVersion;

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new List<string>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, pod) in cluster.Api.CoreV1.WatchListNamespacedPodAsync(Ns, labelSelector: "app=a", resourceVersion: from,
                               cancellationToken: stop.Token))
            {
                seen.Add($"{type} {pod.Metadata.Name} {pod.Status?.Phase}".Trim());
                if (seen.Count == 4) break;
            }
        });
        await Task.Delay(300);
        await CreateAsync(cluster, Pod("w1"));
        await CreateAsync(cluster, Pod("other", "b"));
        api.SetPodPhase(Ns, "w1", "Running");
        api.SetPodPhase(Ns, "w1", "Succeeded", 0);
        await cluster.CallAsync("deleting", (k, t) => k.CoreV1.DeleteNamespacedPodAsync("w1", Ns, cancellationToken: t), CancellationToken.None);
        await watching.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(["Added w1", "Modified w1 Running", "Modified w1 Succeeded", "Deleted w1 Succeeded"], seen);

        // A compacted version: the server sends an ERROR event with a 410 Status, which the client hands to onError.
        api.Compact();
        Exception? error = null;
        await foreach (var _ in cluster.Api.CoreV1.WatchListNamespacedPodAsync(Ns, resourceVersion: from, onError: e => error = e, cancellationToken: stop.Token)) { }
        Assert.Equal(410, KubeCluster.CodeOf(Assert.IsType<KubernetesException>(error)));

        // A watch the server closes before any event (its watch timeout on a quiet namespace) is reported by the client as a
        // failed read; PodCache then watches again (KubernetesManagerTests).
        var quiet = Task.Run(async () =>
        {
            await foreach (var _ in cluster.Api.CoreV1.WatchListNamespacedPodAsync(Ns, labelSelector: "app=none", cancellationToken: stop.Token)) { }
        });
        await Task.Delay(300);
        api.CloseWatches();
        var read = await Assert.ThrowsAsync<HttpRequestException>(() => quiet.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.IsType<EndOfStreamException>(read.InnerException);
    }

    [Fact]
    public async Task Protocol_double_pod_log_follows_until_the_pod_ends_however_long_past_the_api_timeout()
    {
        await using var api = await KubeApiDouble.StartAsync();
        using var cluster = Connect(api.Kubeconfig(_dir.Path), timeoutSeconds: 1);
        await CreateAsync(cluster, Pod("trainer"));
        api.WriteLog("trainer", "2026-01-01T00:00:00.000000000Z step 1");

        var lines = new List<string>();
        var following = Task.Run(async () =>
        {
            await using var log = await cluster.CallAsync("reading the log", (k, t) => k.CoreV1.ReadNamespacedPodLogAsync(
                "trainer", Ns, container: "main", follow: true, timestamps: true, cancellationToken: t), CancellationToken.None);
            using var reader = new StreamReader(log);
            while (await reader.ReadLineAsync() is { } line) lines.Add(line);
        });
        // Longer than the API timeout (and the client's own timeout is off): the timeout covers opening the stream only.
        await Task.Delay(1500);
        api.WriteLog("trainer", "2026-01-01T00:00:01.000000000Z step 2", "2026-01-01T00:00:02.000000000Z done");
        api.SetPodPhase(Ns, "trainer", "Succeeded", 0);
        await following.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["step 1", "step 2", "done"], lines.Select(l => l.Split(' ', 2)[1]));
        Assert.Contains(api.Requests, r => r.Contains("/log?", StringComparison.Ordinal) && r.Contains("follow=true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Protocol_double_over_tls_trusts_the_cluster_ca_presents_the_client_certificate_and_refuses_a_stranger()
    {
        var certs = new TestCertificates();
        await using var api = await KubeApiDouble.StartAsync(b => b.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(
            new HttpsConnectionAdapterOptions
            {
                ServerCertificate = certs.Server,
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                ClientCertificateValidation = (_, _, _) => true,
            }))));
        static string B64(string s) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(s));
        var yaml = $"current-context: c\nclusters: [{{name: k, cluster: {{server: '{api.Server}', certificate-authority-data: {B64(certs.CaPem)}}}}}]\n" +
                   $"users: [{{name: u, user: {{client-certificate-data: {B64(certs.ClientCertPem)}, client-key-data: {B64(certs.ClientKeyPem)}}}}}]\n" +
                   "contexts: [{name: c, context: {cluster: k, user: u, namespace: ml}}]";
        using (var cluster = Connect(Kubeconfig(yaml)))
        {
            await CreateAsync(cluster, Pod("tls"));
            Assert.NotNull(await cluster.FindAsync("reading", (k, t) => k.CoreV1.ReadNamespacedPodAsync("tls", Ns, cancellationToken: t), CancellationToken.None));
        }

        using (var wrongCa = Connect(Kubeconfig(yaml.Replace(B64(certs.CaPem), B64(new TestCertificates().CaPem), StringComparison.Ordinal))))
        {
            var refused = await Assert.ThrowsAsync<ContainerManagerException>(() =>
                wrongCa.CallAsync("listing pods", (k, t) => k.CoreV1.ListNamespacedPodAsync(Ns, cancellationToken: t), CancellationToken.None));
            Assert.Contains("TLS handshake", refused.Message);
        }

        using var insecure = Connect(Kubeconfig(yaml.Replace($"certificate-authority-data: {B64(certs.CaPem)}", "insecure-skip-tls-verify: true",
            StringComparison.Ordinal)));
        Assert.NotNull(await insecure.FindAsync("reading", (k, t) => k.CoreV1.ReadNamespacedPodAsync("tls", Ns, cancellationToken: t), CancellationToken.None));
    }

    [Fact]
    public async Task An_unreachable_server_is_reported_with_its_address()
    {
        var port = Portal.Tests.Shared.TestEnvironment.FreePort();
        using var cluster = Connect(Kubeconfig(
            $"current-context: c\nclusters: [{{name: k, cluster: {{server: 'http://127.0.0.1:{port}'}}}}]\ncontexts: [{{name: c, context: {{cluster: k}}}}]"), 3);
        var e = await Assert.ThrowsAsync<EngineUnreachableException>(() =>
            cluster.CallAsync("listing pods", (k, t) => k.CoreV1.ListNamespacedPodAsync(Ns, cancellationToken: t), CancellationToken.None));
        Assert.Contains($"Cannot reach the Kubernetes API server at http://127.0.0.1:{port}", e.Message);
    }

    public void Dispose() => _dir.Dispose();
}
