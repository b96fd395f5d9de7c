using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Portal.Core.Containers;
using Portal.Orchestration.Kubernetes;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Kubernetes;

/// <summary>The Kubernetes client against a protocol double of the API server (no cluster can run here), over HTTP and over TLS with a cluster CA and a client certificate.</summary>
public sealed class KubernetesClientTests
{
    private const string Pods = "api/v1/namespaces/ml/pods";
    private const string Jobs = "apis/batch/v1/namespaces/ml/jobs";

    private static JsonObject Pod(string name, string app = "a") => new()
    {
        ["apiVersion"] = "v1", ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["app"] = app } },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = "busybox" }) },
    };

    private static KubernetesClient ClientFor(KubeApiDouble api, TempDir dir) =>
        new(KubeConfigLoader.Load(api.Kubeconfig(dir.Path), null, new Dictionary<string, string?>(), dir.Path), TimeSpan.FromSeconds(5));

    [Fact]
    public async Task Protocol_double_create_get_list_patch_delete_and_the_errors_as_sentences()
    {
        await using var api = await KubeApiDouble.StartAsync();
        using var dir = new TempDir();
        using var client = ClientFor(api, dir);
        Assert.Equal("ml", client.DefaultNamespace);

        var created = await client.CreateAsync(Pods, Pod("p1"), CancellationToken.None);
        Assert.NotNull(created["metadata"]!["uid"]);
        await client.CreateAsync(Pods, Pod("p2", "b"), CancellationToken.None);
        var exists = await Assert.ThrowsAsync<KubeApiException>(() => client.CreateAsync(Pods, Pod("p1"), CancellationToken.None));
        Assert.Equal((409, "AlreadyExists"), (exists.Code, exists.Reason));
        Assert.Contains("conflict", exists.ToUserError().Message);

        Assert.Equal("p1", (await client.GetAsync($"{Pods}/p1", CancellationToken.None))!["metadata"]!["name"]!.GetValue<string>());
        Assert.Null(await client.GetAsync($"{Pods}/nope", CancellationToken.None));
        var listed = await client.ListAsync(Pods, "app=b", CancellationToken.None);
        Assert.Equal("p2", Assert.Single(listed["items"]!.AsArray())!["metadata"]!["name"]!.GetValue<string>());

        var patched = await client.PatchAsync($"{Pods}/p1", new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "b" } } }, CancellationToken.None);
        Assert.Equal("b", patched["metadata"]!["labels"]!["app"]!.GetValue<string>());
        Assert.True(await client.DeleteAsync($"{Pods}/p1", CancellationToken.None));
        Assert.False(await client.DeleteAsync($"{Pods}/p1", CancellationToken.None));

        var invalid = await Assert.ThrowsAsync<KubeApiException>(() => client.CreateAsync(Pods, new JsonObject { ["metadata"] = new JsonObject() }, CancellationToken.None));
        Assert.Contains("refused creating", invalid.ToUserError().Message);
        Assert.Contains("metadata.name: Required value", invalid.ToUserError().Message);

        api.Forbidden.Add("create jobs");
        var forbidden = await Assert.ThrowsAsync<KubeApiException>(() => client.CreateAsync(Jobs, new JsonObject { ["kind"] = "Job", ["metadata"] = new JsonObject { ["name"] = "j" } }, CancellationToken.None));
        Assert.Contains("lacks the permission", forbidden.ToUserError().Message);
        Assert.Contains("cannot create resource \"jobs\"", forbidden.ToUserError().Message);

        var stranger = new KubernetesClient(KubeConfigLoader.Parse(
            $"current-context: c\nclusters: [{{name: k, cluster: {{server: '{api.Server}'}}}}]\nusers: [{{name: u, user: {{token: wrong}}}}]\ncontexts: [{{name: c, context: {{cluster: k, user: u}}}}]",
            dir.Path, null, "test"), TimeSpan.FromSeconds(5));
        var unauthorized = await Assert.ThrowsAsync<KubeApiException>(() => stranger.ListAsync(Pods, null, CancellationToken.None));
        Assert.Contains("did not accept the portal's credentials", unauthorized.ToUserError().Message);
    }

    [Fact]
    public async Task Protocol_double_watch_streams_changes_in_order_and_a_compacted_version_is_gone()
    {
        await using var api = await KubeApiDouble.StartAsync();
        using var dir = new TempDir();
        using var client = ClientFor(api, dir);
        await client.CreateAsync(Pods, Pod("before"), CancellationToken.None);
        var from = (await client.ListAsync(Pods, null, CancellationToken.None))["metadata"]!["resourceVersion"]!.GetValue<string>();

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new List<string>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in client.WatchAsync(Pods, "app=a", from, stop.Token))
            {
                seen.Add($"{e.Type} {e.Item["metadata"]!["name"]} {e.Item["status"]?["phase"]}".Trim());
                if (seen.Count == 4) break;
            }
        });
        await client.CreateAsync(Pods, Pod("w1"), CancellationToken.None);
        await client.CreateAsync(Pods, Pod("other", "b"), CancellationToken.None);
        api.SetPodPhase("ml", "w1", "Running");
        api.SetPodPhase("ml", "w1", "Succeeded", 0);
        await client.DeleteAsync($"{Pods}/w1", CancellationToken.None);
        await watching;
        Assert.Equal(["ADDED w1", "MODIFIED w1 Running", "MODIFIED w1 Succeeded", "DELETED w1 Succeeded"], seen);

        api.Compact();
        var gone = await Assert.ThrowsAsync<KubeApiException>(async () =>
        {
            await foreach (var _ in client.WatchAsync(Pods, null, from, stop.Token)) { }
        });
        Assert.Equal(410, gone.Code);

        // A watch the server closes just ends; the caller starts another from the last version it saw.
        var closed = Task.Run(async () =>
        {
            var n = 0;
            await foreach (var _ in client.WatchAsync(Pods, null, null, stop.Token)) n++;
            return n;
        });
        await Task.Delay(200);
        api.CloseWatches();
        Assert.Equal(0, await closed);
    }

    [Fact]
    public async Task Protocol_double_pod_log_follows_until_the_pod_ends()
    {
        await using var api = await KubeApiDouble.StartAsync();
        using var dir = new TempDir();
        using var client = ClientFor(api, dir);
        await client.CreateAsync(Pods, Pod("trainer"), CancellationToken.None);
        api.WriteLog("trainer", "2026-01-01T00:00:00.000000000Z step 1");

        var lines = new List<string>();
        var following = Task.Run(async () =>
        {
            await foreach (var line in client.ReadLogAsync("ml", "trainer", null, follow: true, timestamps: true, CancellationToken.None)) lines.Add(line);
        });
        await Task.Delay(200);
        api.WriteLog("trainer", "2026-01-01T00:00:01.000000000Z step 2", "2026-01-01T00:00:02.000000000Z done");
        api.SetPodPhase("ml", "trainer", "Succeeded", 0);
        await following.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["step 1", "step 2", "done"], lines.Select(l => l.Split(' ', 2)[1]));
    }

    [Fact]
    public async Task Protocol_double_over_tls_trusts_the_cluster_ca_presents_the_client_certificate_and_refuses_a_stranger()
    {
        var certs = new TestCertificates();
        await using var api = await KubeApiDouble.StartAsync(b => b.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = certs.Server,
            ClientCertificateMode = ClientCertificateMode.RequireCertificate,
            ClientCertificateValidation = (_, _, _) => true,
        }))));
        using var dir = new TempDir();
        string B64(string s) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(s));
        var yaml = $"current-context: c\nclusters: [{{name: k, cluster: {{server: '{api.Server}', certificate-authority-data: {B64(certs.CaPem)}}}}}]\n" +
                   $"users: [{{name: u, user: {{client-certificate-data: {B64(certs.ClientCertPem)}, client-key-data: {B64(certs.ClientKeyPem)}}}}}]\ncontexts: [{{name: c, context: {{cluster: k, user: u}}}}]";
        using var client = new KubernetesClient(KubeConfigLoader.Parse(yaml, dir.Path, null, "test"), TimeSpan.FromSeconds(5));
        await client.CreateAsync(Pods, Pod("tls"), CancellationToken.None);
        Assert.NotNull(await client.GetAsync($"{Pods}/tls", CancellationToken.None));

        var otherCa = new TestCertificates();
        using var wrongCa = new KubernetesClient(KubeConfigLoader.Parse(yaml.Replace(B64(certs.CaPem), B64(otherCa.CaPem)), dir.Path, null, "test"), TimeSpan.FromSeconds(5));
        var refused = await Assert.ThrowsAsync<ContainerManagerException>(() => wrongCa.ListAsync(Pods, null, CancellationToken.None));
        Assert.Contains("TLS handshake", refused.Message);

        var insecureYaml = yaml.Replace($"certificate-authority-data: {B64(certs.CaPem)}", "insecure-skip-tls-verify: true");
        using var insecure = new KubernetesClient(KubeConfigLoader.Parse(insecureYaml, dir.Path, null, "test"), TimeSpan.FromSeconds(5));
        Assert.NotNull(await insecure.GetAsync($"{Pods}/tls", CancellationToken.None));
    }

    [Fact]
    public async Task An_unreachable_server_is_reported_with_its_address()
    {
        using var dir = new TempDir();
        var port = Portal.Tests.Shared.TestEnvironment.FreePort();
        using var client = new KubernetesClient(KubeConfigLoader.Parse(
            $"current-context: c\nclusters: [{{name: k, cluster: {{server: 'http://127.0.0.1:{port}'}}}}]\ncontexts: [{{name: c, context: {{cluster: k}}}}]", dir.Path, null, "test"),
            TimeSpan.FromSeconds(3));
        var e = await Assert.ThrowsAsync<ContainerManagerException>(() => client.ListAsync(Pods, null, CancellationToken.None));
        Assert.Contains($"Cannot reach the Kubernetes API server at http://127.0.0.1:{port}", e.Message);
    }
}
