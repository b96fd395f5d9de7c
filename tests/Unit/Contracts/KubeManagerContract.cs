using System.Collections.Concurrent;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Orchestration.Kubernetes;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Contracts;

/// <summary>
/// The contract on the Kubernetes manager against the API protocol double (no cluster can run here): a kubelet player
/// does what the Job controller and the kubelet would, making each Job's pod and running its script into the pod's phase,
/// log and exit code. Kubernetes logs carry no stream, so stderr lines arrive as output.
/// </summary>
public sealed class KubeManagerContract : ContainerManagerContract
{
    private const string Ns = "ml";
    private readonly TempDir _dir = new();
    private KubeApiDouble? _api;
    private KubeCluster? _cluster;

    protected override bool LogsKeepStreams => false;

    protected override async Task<IContainerManager> CreateAsync()
    {
        _api = await KubeApiDouble.StartAsync();
        _cluster = KubernetesSetup.Connect(
            KubernetesSetup.Configuration(_api.Kubeconfig(_dir.Path), null, new Dictionary<string, string?>(), _dir.Path), TimeSpan.FromSeconds(5));
        return new KubeletPlayer(new KubernetesManager(_cluster, new KubeManifests(new KubeConfig { Namespace = Ns }, null, _dir.Path)), _api);
    }

    protected override WorkloadSpec Shell(string script) => new()
    {
        Name = "contract", Image = "portal/notebook-base:latest", Command = ["/bin/sh", "-c", script],
        Labels = new Dictionary<string, string> { [PortalLabels.Kind] = "contract" },
    };

    protected override string UnknownId => "Job/portal-contract-nothing";

    protected override async Task CleanUpAsync()
    {
        _cluster?.Dispose();
        if (_api is not null) await _api.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>The manager, with the cluster's controllers played behind each Job it starts.</summary>
    private sealed class KubeletPlayer(KubernetesManager manager, KubeApiDouble api) : IContainerManager, IAsyncDisposable
    {
        private readonly ConcurrentBag<Task> _playing = [];

        public ManagerCapabilities Capabilities => manager.Capabilities;
        public Task<ManagerHealth> CheckAsync(CancellationToken ct) => manager.CheckAsync(ct);

        public async Task<string> StartAsync(WorkloadSpec spec, CancellationToken ct)
        {
            var id = await manager.StartAsync(spec, ct);
            _playing.Add(Task.Run(() => PlayAsync(id["Job/".Length..], spec.Command[^1]), CancellationToken.None));
            return id;
        }

        private async Task PlayAsync(string job, string script)
        {
            var pod = $"{job}-p1";
            api.MakePod(Ns, job, pod);
            await Task.Delay(100);
            api.SetPodPhase(Ns, pod, "Running");
            foreach (var step in ScriptSteps.Of(script))
            {
                // A deleted Job takes its pod with it: nothing more runs.
                if (!Exists(job)) return;
                switch (step.Verb)
                {
                    case "echo": api.WriteLog(pod, $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffffff}Z {step.Text}"); break;
                    case "sleep":
                        for (var slept = TimeSpan.Zero; slept < step.Seconds && Exists(job); slept += TimeSpan.FromMilliseconds(50)) await Task.Delay(50);
                        break;
                    case "exit":
                        api.SetPodPhase(Ns, pod, step.Code == 0 ? "Succeeded" : "Failed", step.Code);
                        return;
                    default: throw new InvalidOperationException($"The kubelet player does not know '{step.Verb}'.");
                }
            }
            if (Exists(job)) api.SetPodPhase(Ns, pod, "Succeeded", 0);
        }

        private bool Exists(string job) => api.Get($"apis/batch/v1/namespaces/{Ns}/jobs", job) is not null;

        public Task<WorkloadStatus> GetStatusAsync(string id, CancellationToken ct) => manager.GetStatusAsync(id, ct);
        public IAsyncEnumerable<WorkloadStatus> WatchAsync(string id, CancellationToken ct) => manager.WatchAsync(id, ct);
        public IAsyncEnumerable<LogLine> ReadLogsAsync(string id, bool follow, CancellationToken ct) => manager.ReadLogsAsync(id, follow, ct);
        public Task StopAsync(string id, CancellationToken ct) => manager.StopAsync(id, ct);
        public Task RemoveAsync(string id, CancellationToken ct) => manager.RemoveAsync(id, ct);
        public Task<IReadOnlyList<WorkloadInfo>> ListOwnedAsync(CancellationToken ct) => manager.ListOwnedAsync(ct);

        public async ValueTask DisposeAsync()
        {
            await Task.WhenAll(_playing).WaitAsync(TimeSpan.FromSeconds(10));
            await manager.DisposeAsync();
        }
    }
}
